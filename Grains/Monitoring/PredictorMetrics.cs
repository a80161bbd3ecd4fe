using Distributed.Grains.Serving;
using Microsoft.AspNetCore.Http;
using Prometheus;

namespace Distributed.Grains.Monitoring;

/// <summary>
/// Metrics of the prediction service (<c>distributed_predictor_*</c>): requests and errors by status
/// and reason, request duration, images predicted, and the served model's version.
/// </summary>
public sealed class PredictorMetrics
{
    /// <summary>Status label of a request whose client went away before the answer (nginx's convention).</summary>
    public const int ClientClosedRequest = 499;

    /// <summary>
    /// Request duration buckets in seconds: the Prometheus client defaults extended down to 0.5 ms,
    /// since a single-image prediction takes well under 5 ms.
    /// </summary>
    public static readonly IReadOnlyList<double> DurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private const string ErrorReasonKey = "Distributed.Predictor.ErrorReason";
    private const string UnknownReason = "other";

    private readonly Counter _requests;
    private readonly Histogram _duration;
    private readonly Counter _errors;
    private readonly Counter _images;
    private readonly Gauge _modelInfo;
    private readonly Gauge _modelLoaded;
    private readonly Lock _modelGate = new();
    private string? _exportedVersion;

    /// <summary>Creates the metrics in the host's registry and follows <paramref name="predictor"/>'s model.</summary>
    public PredictorMetrics(HostMetrics host, Predictor predictor)
    {
        ArgumentNullException.ThrowIfNull(host);
        ArgumentNullException.ThrowIfNull(predictor);
        var factory = host.Factory;
        _requests = factory.CreateCounter("distributed_predictor_requests_total", "Predictor API requests by endpoint and HTTP status.", ["endpoint", "status"]);
        _duration = factory.CreateHistogram("distributed_predictor_request_duration_seconds", "Predictor API request duration, body read to answer.",
            new HistogramConfiguration { LabelNames = ["endpoint", "status"], Buckets = [.. DurationBuckets] });
        _errors = factory.CreateCounter("distributed_predictor_errors_total", "Refused or failed predictor API requests by HTTP status and reason.", ["endpoint", "status", "reason"]);
        _images = factory.CreateCounter("distributed_predictor_images_predicted_total", "Images predicted.");
        _modelInfo = factory.CreateGauge("distributed_predictor_model_info", "The served model: always 1, labelled with its version.", ["version"]);
        _modelLoaded = factory.CreateGauge("distributed_predictor_model_loaded", "1 while a model is loaded, 0 before.");
        predictor.ModelChanged += ModelServed;
        if (predictor.Current is { } current)
        {
            ModelServed(current);
        }
    }

    /// <summary>Records the reason of a refused request, for <see cref="RequestCompleted"/>.</summary>
    public static void SetErrorReason(HttpContext context, string reason)
    {
        ArgumentNullException.ThrowIfNull(context);
        context.Items[ErrorReasonKey] = reason;
    }

    /// <summary>Counts and times one finished request.</summary>
    public void RequestCompleted(HttpContext context, string endpoint, int status, TimeSpan elapsed)
    {
        ArgumentNullException.ThrowIfNull(context);
        var statusText = StatusText(status);
        _requests.WithLabels(endpoint, statusText).Inc();
        _duration.WithLabels(endpoint, statusText).Observe(elapsed.TotalSeconds);
        if (status >= StatusCodes.Status400BadRequest)
        {
            var reason = context.Items.TryGetValue(ErrorReasonKey, out var value) && value is string text ? text : UnknownReason;
            _errors.WithLabels(endpoint, statusText, reason).Inc();
        }
    }

    /// <summary>Counts predicted images.</summary>
    public void ImagesPredicted(int count) => _images.Inc(count);

    /// <summary>Moves the version series to the model now served, so only one version is ever exported.</summary>
    private void ModelServed(LoadedModel model)
    {
        lock (_modelGate)
        {
            if (_exportedVersion is { } previous && previous != model.Version)
            {
                _modelInfo.RemoveLabelled(previous);
            }
            _modelInfo.WithLabels(model.Version).Set(1);
            _modelLoaded.Set(1);
            _exportedVersion = model.Version;
        }
    }

    /// <summary>Status codes as label text without allocating for the common ones.</summary>
    private static string StatusText(int status) => status switch
    {
        200 => "200",
        400 => "400",
        413 => "413",
        415 => "415",
        503 => "503",
        _ => status.ToString(System.Globalization.CultureInfo.InvariantCulture),
    };
}
