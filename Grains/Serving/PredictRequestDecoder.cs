using System.Text.Json;
using Distributed.Ml.Data;
using Distributed.Ml.Numerics;
using Microsoft.AspNetCore.Http;

namespace Distributed.Grains.Serving;

/// <summary>
/// Turns a prediction request body into an image matrix (n × 784, in [0, 1]) with the library's own
/// decoders, so that the API accepts and refuses exactly what the file readers do.
/// </summary>
public static partial class PredictRequestDecoder
{
    /// <summary>Reason label: the body is not a well-formed .npy, JSON or MessagePack document (or names an unsupported dtype).</summary>
    public const string MalformedBody = "malformed_body";

    /// <summary>Reason label: the images are not 28×28, or there are none.</summary>
    public const string BadShape = "bad_shape";

    /// <summary>Reason label: NaN, infinite or out-of-range pixel values.</summary>
    public const string BadValues = "bad_values";

    /// <summary>Reason label: more images than a request may carry.</summary>
    public const string TooManyImages = "too_many_images";

    private const string JsonLayout = "expected {\"images\": [[784 values], ...]}";

    /// <summary>Decodes a <c>.npy</c> body: (N,1,28,28), (N,28,28) or (N,784), any supported dtype.</summary>
    /// <exception cref="PredictRequestException">400 for a malformed body, wrong shape or bad values; 413 for too many images.</exception>
    public static Matrix DecodeNpy(ReadOnlyMemory<byte> body, int maxImages)
    {
        using var stream = new MemoryStream(body.ToArray(), writable: false);
        var header = Guard(MalformedBody, "npy body: ", () => NpyHeader.Read(stream));
        var count = Guard(BadShape, "", () => ImageDecoder.ImageCount(header.Shape, header.ShapeText));
        if (count > maxImages)
        {
            throw TooMany($"{count} images", maxImages);
        }
        stream.Position = 0;
        var array = Guard(MalformedBody, "npy body: ", () => NpyReader.Read(stream));
        return Guard(BadValues, "", () => ImageDecoder.Decode(array));
    }

    /// <summary>Decodes a JSON body <c>{"images": [[784 values], ...]}</c> (see <see cref="Interfaces.Serving.PredictRequest"/>).</summary>
    /// <exception cref="PredictRequestException">400 for malformed JSON, rows that are not 784 values or bad values; 413 for too many images.</exception>
    public static Matrix DecodeJson(ReadOnlySpan<byte> body, int maxImages)
    {
        float[] pixels;
        int count;
        try
        {
            (pixels, count) = ReadJsonImages(body, maxImages);
        }
        catch (JsonException e)
        {
            throw new PredictRequestException(StatusCodes.Status400BadRequest, MalformedBody, $"malformed JSON: {e.Message}", e);
        }
        if (count == 0)
        {
            throw new PredictRequestException(StatusCodes.Status400BadRequest, BadShape, "contains zero images");
        }
        // JSON numbers carry no integer type: like CSV, they are floats, scaled by 255 only if any exceeds 1.
        Guard(BadValues, "", () =>
        {
            ImageDecoder.Normalise(pixels.AsSpan(0, count * ImageShape.Pixels), isFloatingPoint: true);
            return 0;
        });
        return new Matrix(count, ImageShape.Pixels, pixels.Length == count * ImageShape.Pixels ? pixels : pixels[..(count * ImageShape.Pixels)]);
    }

    private static (float[] Pixels, int Count) ReadJsonImages(ReadOnlySpan<byte> body, int maxImages)
    {
        var reader = new Utf8JsonReader(body, new JsonReaderOptions { CommentHandling = JsonCommentHandling.Disallow });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            throw Malformed($"the body is not a JSON object; {JsonLayout}");
        }
        float[]? pixels = null;
        var count = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            if (!reader.ValueTextEquals("images"u8))
            {
                reader.Read();
                reader.Skip();
                continue;
            }
            if (pixels is not null)
            {
                throw Malformed("\"images\" appears twice");
            }
            reader.Read();
            if (reader.TokenType != JsonTokenType.StartArray)
            {
                throw Malformed($"\"images\" is not an array; {JsonLayout}");
            }
            pixels = new float[ImageShape.Pixels];
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (count == maxImages)
                {
                    throw TooMany($"more than {maxImages} images", maxImages);
                }
                if (reader.TokenType != JsonTokenType.StartArray)
                {
                    throw Malformed($"image {count} is not an array of {ImageShape.Pixels} numbers");
                }
                if (pixels.Length < (count + 1) * ImageShape.Pixels)
                {
                    Array.Resize(ref pixels, Math.Min(pixels.Length * 2, maxImages * ImageShape.Pixels));
                }
                var row = pixels.AsSpan(count * ImageShape.Pixels, ImageShape.Pixels);
                var values = 0;
                while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
                {
                    if (reader.TokenType != JsonTokenType.Number)
                    {
                        throw Malformed($"image {count}, pixel {values} is not a number");
                    }
                    if (values < ImageShape.Pixels)
                    {
                        row[values] = reader.TryGetDouble(out var value) ? (float)value : float.PositiveInfinity;
                    }
                    values++;
                }
                if (values != ImageShape.Pixels)
                {
                    throw new PredictRequestException(StatusCodes.Status400BadRequest, BadShape,
                        $"wrong image size: image {count} has {values} values, expected {ImageShape.Pixels} (28×28)");
                }
                count++;
            }
        }
        if (reader.TokenType != JsonTokenType.EndObject)
        {
            throw Malformed("the body does not end after its JSON object");
        }
        if (reader.Read())
        {
            throw Malformed("data continues after the JSON object");
        }
        return pixels is null ? throw Malformed($"no \"images\" property; {JsonLayout}") : (pixels, count);
    }

    private static PredictRequestException TooMany(string what, int maxImages) =>
        new(StatusCodes.Status413PayloadTooLarge, TooManyImages, $"too many images: {what}, the limit is {maxImages} per request");

    private static PredictRequestException Malformed(string detail, Exception? innerException = null) =>
        new(StatusCodes.Status400BadRequest, MalformedBody, detail, innerException);

    private static T Guard<T>(string reason, string prefix, Func<T> decode)
    {
        try
        {
            return decode();
        }
        catch (DataFormatException e)
        {
            throw new PredictRequestException(StatusCodes.Status400BadRequest, reason, prefix + e.Message, e);
        }
        catch (OverflowException e)
        {
            throw new PredictRequestException(StatusCodes.Status400BadRequest, reason, $"{prefix}header shape is too large", e);
        }
    }
}
