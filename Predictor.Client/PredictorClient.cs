using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Distributed.Grains.Interfaces.Serving;

namespace Distributed.Predictor.Client;

/// <summary>
/// Typed client of the predictor HTTP API (<c>Distributed serve</c> or a Silo started with a model).
/// Thread-safe; give it an <see cref="HttpClient"/> whose <see cref="HttpClient.BaseAddress"/> is the
/// server's root, e.g. <c>http://127.0.0.1:5080/</c>.
/// </summary>
public sealed class PredictorClient
{
    private static readonly MediaTypeHeaderValue s_npy = new(PredictorMediaTypes.Npy);
    private readonly HttpClient _http;

    /// <summary>Wraps <paramref name="http"/>; the caller owns it.</summary>
    public PredictorClient(HttpClient http)
    {
        ArgumentNullException.ThrowIfNull(http);
        _http = http;
    }

    /// <summary>Predicts images given as rows of 784 pixel values (0..255, or 0..1 when already scaled).</summary>
    /// <exception cref="PredictorApiException">The server refused the request (4xx) or failed (5xx).</exception>
    public async Task<PredictResponse> PredictAsync(float[][] images, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        using var response = await _http.PostAsJsonAsync("v1/predict", new PredictRequest(images), cancellationToken).ConfigureAwait(false);
        return await ReadAsync<PredictResponse>(response, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Predicts the images of a <c>.npy</c> file's bytes: (N,1,28,28), (N,28,28) or (N,784), integer or float.</summary>
    /// <exception cref="PredictorApiException">The server refused the request (4xx) or failed (5xx).</exception>
    public async Task<PredictResponse> PredictAsync(ReadOnlyMemory<byte> npy, CancellationToken cancellationToken = default)
    {
        using var content = new ReadOnlyMemoryContent(npy);
        content.Headers.ContentType = s_npy;
        using var response = await _http.PostAsync("v1/predict", content, cancellationToken).ConfigureAwait(false);
        return await ReadAsync<PredictResponse>(response, cancellationToken).ConfigureAwait(false);
    }

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
