using System.Diagnostics.Metrics;
using Distributed.Grains.Serving;
using Microsoft.AspNetCore.Http;

namespace Distributed.Grains.Monitoring;

/// <summary>
/// Instruments of the prediction service, meter <see cref="MeterName"/>: requests and errors by status,
/// request duration, images predicted, and the served model's version.
/// </summary>
public sealed class PredictorMetrics
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "Distributed.Predictor";

    /// <summary>Status label of a request whose client went away before the answer (nginx's convention).</summary>
    public const int ClientClosedRequest = 499;

    /// <summary>
    /// Request duration buckets in seconds: the Prometheus client defaults extended down to 0.5 ms,
    /// since a single-image prediction takes well under 5 ms.
    /// </summary>
    public static readonly IReadOnlyList<double> DurationBuckets = [0.0005, 0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    private const string ErrorReasonKey = "Distributed.Predictor.ErrorReason";
    private const string UnknownReason = "other";

    private readonly Counter<long> _requests;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _errors;
    private readonly Counter<long> _images;

    /// <summary>Creates the instruments through <paramref name="meterFactory"/> (so each host has its own meter).</summary>
    public PredictorMetrics(IMeterFactory meterFactory, Predictor predictor)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        ArgumentNullException.ThrowIfNull(predictor);
        var meter = meterFactory.Create(MeterName);
        _requests = meter.CreateCounter<long>("distributed.predictor.requests", "{request}", "Predictor API requests by endpoint and HTTP status.");
        _duration = meter.CreateHistogram("distributed.predictor.request.duration", "s", "Predictor API request duration, body read to answer.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _errors = meter.CreateCounter<long>("distributed.predictor.errors", "{request}", "Refused or failed predictor API requests by HTTP status and reason.");
        _images = meter.CreateCounter<long>("distributed.predictor.images_predicted", "{image}", "Images predicted.");
        meter.CreateObservableGauge("distributed.predictor.model_info",
            () => predictor.Current is { } model
                ? [new Measurement<int>(1, new KeyValuePair<string, object?>("version", model.Version))]
                : Array.Empty<Measurement<int>>(),
            description: "The served model: always 1, labelled with its version.");
        meter.CreateObservableGauge("distributed.predictor.model.loaded", () => predictor.Current is null ? 0 : 1,
            description: "1 while a model is loaded, 0 before.");
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
        var endpointTag = new KeyValuePair<string, object?>("endpoint", endpoint);
        var statusTag = new KeyValuePair<string, object?>("status", StatusText(status));
        _requests.Add(1, endpointTag, statusTag);
        _duration.Record(elapsed.TotalSeconds, endpointTag, statusTag);
        if (status >= StatusCodes.Status400BadRequest)
        {
            var reason = context.Items.TryGetValue(ErrorReasonKey, out var value) && value is string text ? text : UnknownReason;
            _errors.Add(1, endpointTag, statusTag, new KeyValuePair<string, object?>("reason", reason));
        }
    }

    /// <summary>Counts predicted images.</summary>
    public void ImagesPredicted(int count) => _images.Add(count);

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
