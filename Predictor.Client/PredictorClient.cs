using System.Buffers;
using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Runtime.InteropServices;
using System.Text.Json;
using Distributed.Grains.Interfaces.Serving;
using Distributed.Ml.Data;
using MessagePack;

namespace Distributed.Predictor.Client;

/// <summary>
/// Typed client of the predictor HTTP API (<c>Distributed serve</c> or a Silo started with a model).
/// Thread-safe; give it an <see cref="HttpClient"/> whose <see cref="HttpClient.BaseAddress"/> is the
/// server's root, e.g. <c>http://127.0.0.1:5080/</c>. Images go in its <see cref="WireFormat"/>; the
/// answers are the same <see cref="PredictResponse"/> whatever the format.
/// </summary>
public sealed class PredictorClient
{
    private static readonly MediaTypeHeaderValue s_npy = new(PredictorMediaTypes.Npy);
    private static readonly MediaTypeHeaderValue s_json = new(PredictorMediaTypes.Json);
    private static readonly MediaTypeHeaderValue s_messagePack = new(PredictorMediaTypes.MessagePack);
    private static readonly MediaTypeWithQualityHeaderValue s_acceptMessagePack = new(PredictorMediaTypes.MessagePack);
    private static readonly long[] s_rowShape = [ImageShape.Pixels];
    private static readonly long[] s_imageShape = [ImageShape.Side, ImageShape.Side];
    private readonly HttpClient _http;

    /// <summary>Wraps <paramref name="http"/>, sending images as JSON; the caller owns <paramref name="http"/>.</summary>
    public PredictorClient(HttpClient http)
        : this(http, PredictorWireFormat.Json)
    {
    }

    /// <summary>Wraps <paramref name="http"/>, sending images in <paramref name="wireFormat"/>; the caller owns <paramref name="http"/>.</summary>
    public PredictorClient(HttpClient http, PredictorWireFormat wireFormat)
    {
        ArgumentNullException.ThrowIfNull(http);
        if (!Enum.IsDefined(wireFormat))
        {
            throw new ArgumentOutOfRangeException(nameof(wireFormat), wireFormat, "not a predictor wire format");
        }
        _http = http;
        WireFormat = wireFormat;
    }

    /// <summary>
    /// How <see cref="PredictAsync(float[][], CancellationToken)"/> and <see cref="PredictPixelsAsync"/>
    /// send images; with <see cref="PredictorWireFormat.MessagePack"/> answers are asked for as MessagePack too.
    /// </summary>
    public PredictorWireFormat WireFormat { get; }

    /// <summary>Predicts images given as rows of 784 pixel values (0..255, or 0..1 when already scaled).</summary>
    /// <remarks>As .npy or MessagePack the rows go as one float32 array of shape (N, 784), so every row must have 784 values; as JSON a wrong row is the server's to refuse.</remarks>
    /// <exception cref="ArgumentException">A row is not 784 values long and the wire format packs rows into one array.</exception>
    /// <exception cref="PredictorApiException">The server refused the request (4xx) or failed (5xx).</exception>
    public Task<PredictResponse> PredictAsync(float[][] images, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        return WireFormat == PredictorWireFormat.Json
            ? PostAsync(JsonSerializer.SerializeToUtf8Bytes(new PredictRequest(images)), s_json, cancellationToken)
            : PostPackedAsync(NpyDType.Float32, Pack(images), images.Length, s_rowShape, cancellationToken);
    }

    /// <summary>
    /// Predicts 8-bit images given as their raw pixels: 784 bytes per image (28×28, row-major), values
    /// 0..255. As JSON they go as integers, as .npy and MessagePack as a uint8 array of shape (N, 28, 28).
    /// </summary>
    /// <exception cref="ArgumentException">The length is not a multiple of 784.</exception>
    /// <exception cref="PredictorApiException">The server refused the request (4xx) or failed (5xx).</exception>
    public Task<PredictResponse> PredictPixelsAsync(ReadOnlyMemory<byte> pixels, CancellationToken cancellationToken = default)
    {
        if (pixels.Length % ImageShape.Pixels != 0)
        {
            throw new ArgumentException($"{pixels.Length} bytes are not whole images of {ImageShape.Pixels} pixels", nameof(pixels));
        }
        var count = pixels.Length / ImageShape.Pixels;
        return WireFormat == PredictorWireFormat.Json
            ? PostAsync(JsonPixels(pixels.Span), s_json, cancellationToken)
            : PostPackedAsync(NpyDType.UInt8, pixels.ToArray(), count, s_imageShape, cancellationToken);
    }

    /// <summary>Predicts the images of a <c>.npy</c> file's bytes: (N,1,28,28), (N,28,28) or (N,784), integer or float; sent as they are whatever the <see cref="WireFormat"/>.</summary>
    /// <exception cref="PredictorApiException">The server refused the request (4xx) or failed (5xx).</exception>
    public Task<PredictResponse> PredictAsync(ReadOnlyMemory<byte> npy, CancellationToken cancellationToken = default) =>
        PostAsync(npy, s_npy, cancellationToken);

    /// <summary>Version, options, cluster sizes and training metrics of the served model.</summary>
    /// <exception cref="PredictorApiException">No model is loaded (503) or the server failed.</exception>
    public async Task<ModelInfo> GetModelAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync("v1/model", cancellationToken).ConfigureAwait(false);
        return await ReadAsync<ModelInfo>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reloads the served model's directory on the server and returns the model now served.</summary>
    /// <exception cref="PredictorApiException">The bundle there is unusable (409; the old model keeps serving) or no model is loaded (503).</exception>
    public async Task<ModelInfo> ReloadModelAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http.PostAsync("v1/model/reload", content: null, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<ModelInfo>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>True when <c>/health/ready</c> answers 200 (a model is loaded), false when it answers 503.</summary>
    /// <exception cref="HttpRequestException">The server cannot be reached.</exception>
    public async Task<bool> IsHealthyAsync(CancellationToken cancellationToken = default)
    {
        using var response = await _http.GetAsync("health/ready", cancellationToken).ConfigureAwait(false);
        return response.StatusCode switch
        {
            HttpStatusCode.OK => true,
            HttpStatusCode.ServiceUnavailable => false,
            _ => throw await ErrorAsync(response, cancellationToken).ConfigureAwait(false),
        };
    }

    /// <summary>
    /// The .npy body <see cref="PredictPixelsAsync"/> sends for <paramref name="pixels"/> (784 bytes per
    /// image; a uint8 array of shape (N, 28, 28)), for a caller that posts it to <c>v1/predict</c> itself.
    /// </summary>
    /// <exception cref="ArgumentException">The length is not a multiple of 784.</exception>
    public static byte[] NpyPixelsBody(ReadOnlySpan<byte> pixels)
    {
        if (pixels.Length % ImageShape.Pixels != 0)
        {
            throw new ArgumentException($"{pixels.Length} bytes are not whole images of {ImageShape.Pixels} pixels", nameof(pixels));
        }
        return Npy(NpyDType.UInt8, pixels.ToArray(), [pixels.Length / ImageShape.Pixels, .. s_imageShape]);
    }

    private static byte[] Npy(NpyDType dtype, byte[] data, long[] shape)
    {
        using var npy = new MemoryStream();
        NpyWriter.Write(npy, new NumericArray(dtype, shape, data));
        return npy.ToArray();
    }

    /// <summary>Sends a packed array as .npy or as a <see cref="PredictArrayRequest"/>, per the wire format.</summary>
    private Task<PredictResponse> PostPackedAsync(NpyDType dtype, byte[] data, int count, long[] imageShape, CancellationToken cancellationToken)
    {
        long[] shape = [count, .. imageShape];
        if (WireFormat == PredictorWireFormat.Npy)
        {
            return PostAsync(Npy(dtype, data, shape), s_npy, cancellationToken);
        }
        var request = new PredictArrayRequest(shape, dtype == NpyDType.UInt8 ? PredictorMessagePack.UInt8 : PredictorMessagePack.Float32, data);
        return PostAsync(MessagePackSerializer.Serialize(request, PredictorMessagePack.Options), s_messagePack, cancellationToken);
    }

    /// <summary>
    /// Posts a whole body with its length, so that the server reads it in one go, and reads the answer
    /// in the format the server chose (MessagePack is asked for only with that wire format).
    /// </summary>
    private async Task<PredictResponse> PostAsync(ReadOnlyMemory<byte> body, MediaTypeHeaderValue contentType, CancellationToken cancellationToken)
    {
        using var content = new ReadOnlyMemoryContent(body);
        content.Headers.ContentType = contentType;
        using var request = new HttpRequestMessage(HttpMethod.Post, "v1/predict") { Content = content };
        if (WireFormat == PredictorWireFormat.MessagePack)
        {
            request.Headers.Accept.Add(s_acceptMessagePack);
        }
        using var response = await _http.SendAsync(request, cancellationToken).ConfigureAwait(false);
        if (response.IsSuccessStatusCode && string.Equals(response.Content.Headers.ContentType?.MediaType, PredictorMediaTypes.MessagePack, StringComparison.OrdinalIgnoreCase))
        {
            var stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
            await using (stream.ConfigureAwait(false))
            {
                return await MessagePackSerializer.DeserializeAsync<PredictResponse>(stream, PredictorMessagePack.Options, cancellationToken).ConfigureAwait(false);
            }
        }
        return await ReadAsync<PredictResponse>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Rows of 784 floats as one contiguous float32 buffer.</summary>
    private static byte[] Pack(float[][] images)
    {
        var data = new byte[checked(images.Length * ImageShape.Pixels * sizeof(float))];
        var values = MemoryMarshal.Cast<byte, float>(data.AsSpan());
        for (var i = 0; i < images.Length; i++)
        {
            if (images[i]?.Length != ImageShape.Pixels)
            {
                throw new ArgumentException($"image {i} has {images[i]?.Length ?? 0} values, expected {ImageShape.Pixels} (28×28)", nameof(images));
            }
            images[i].CopyTo(values.Slice(i * ImageShape.Pixels, ImageShape.Pixels));
        }
        return data;
    }

    /// <summary><c>{"images": [[...], ...]}</c> with the pixels as integers.</summary>
    private static byte[] JsonPixels(ReadOnlySpan<byte> pixels)
    {
        var buffer = new ArrayBufferWriter<byte>(pixels.Length * 4 + 16);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteStartArray("images"u8);
            for (var offset = 0; offset < pixels.Length; offset += ImageShape.Pixels)
            {
                writer.WriteStartArray();
                foreach (var pixel in pixels.Slice(offset, ImageShape.Pixels))
                {
                    writer.WriteNumberValue(pixel);
                }
                writer.WriteEndArray();
            }
            writer.WriteEndArray();
            writer.WriteEndObject();
        }
        return buffer.WrittenSpan.ToArray();
    }

    private static async Task<T> ReadAsync<T>(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        if (!response.IsSuccessStatusCode)
        {
            throw await ErrorAsync(response, cancellationToken).ConfigureAwait(false);
        }
        return await response.Content.ReadFromJsonAsync<T>(cancellationToken).ConfigureAwait(false)
            ?? throw new PredictorApiException(response.StatusCode, new PredictorProblem(null, "Empty answer", (int)response.StatusCode, "the server answered with an empty body", null));
    }

    private static async Task<PredictorApiException> ErrorAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        PredictorProblem? problem = null;
        var mediaType = response.Content.Headers.ContentType?.MediaType;
        if (mediaType is not null && mediaType.Contains("json", StringComparison.OrdinalIgnoreCase))
        {
            try
            {
                problem = await response.Content.ReadFromJsonAsync<PredictorProblem>(cancellationToken).ConfigureAwait(false);
            }
            catch (JsonException)
            {
                // Not a problem details body: fall back to the status alone.
            }
        }
        return new PredictorApiException(response.StatusCode,
            problem ?? new PredictorProblem(null, response.ReasonPhrase, (int)response.StatusCode, null, null));
    }
}
