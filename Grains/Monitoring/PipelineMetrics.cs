using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text.RegularExpressions;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Monitoring;

/// <summary>
/// Job progress of a labelling pipeline as metrics (meter <see cref="MeterName"/>): which stage runs,
/// its progress, its duration, its throughput in images/s and the autoencoder's training loss.
/// Pass it as the <see cref="IPipelineObserver"/> of a run; thread-safe.
/// </summary>
public sealed partial class PipelineMetrics : IPipelineObserver, IDisposable
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "Distributed.Pipeline";

    /// <summary>Stage duration buckets in seconds, from sub-second test runs to an hour-long autoencoder fit.</summary>
    public static readonly IReadOnlyList<double> DurationBuckets = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    private readonly Meter? _ownedMeter;
    private readonly Gauge<int> _running;
    private readonly Gauge<double> _progress;
    private readonly Histogram<double> _duration;
    private readonly Gauge<double> _throughput;
    private readonly Gauge<double> _loss;

    /// <summary>Creates the instruments through <paramref name="meterFactory"/>, or on a meter of its own when null.</summary>
    /// <param name="meterFactory">The host's meter factory, if any.</param>
    /// <param name="imageCount">Images the run processes, for the images/s of stages that report no throughput themselves.</param>
    public PipelineMetrics(IMeterFactory? meterFactory = null, long? imageCount = null)
    {
        var meter = meterFactory?.Create(MeterName) ?? (_ownedMeter = new Meter(MeterName));
        ImageCount = imageCount;
        _running = meter.CreateGauge<int>("distributed.pipeline.stage.running", description: "1 while the stage runs, 0 once it has completed.");
        _progress = meter.CreateGauge<double>("distributed.pipeline.stage.progress", "1", "Share of the stage's steps done (0 to 1).");
        _duration = meter.CreateHistogram("distributed.pipeline.stage.duration", "s", "Duration of completed stages.",
            advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = DurationBuckets });
        _throughput = meter.CreateGauge<double>("distributed.pipeline.stage.images", "{image}/s", "Images per second of the stage's latest step or of the whole stage.");
        _loss = meter.CreateGauge<double>("distributed.pipeline.autoencoder.loss", description: "Training loss of the autoencoder's latest epoch.");
    }

    /// <summary>Images the run processes; null when unknown.</summary>
    public long? ImageCount { get; set; }

    /// <inheritdoc />
    public void StageStarted(string stage)
    {
        var tag = StageTag(stage);
        _running.Record(1, tag);
        _progress.Record(0, tag);
    }

    /// <inheritdoc />
    public void StageCompleted(string stage, TimeSpan elapsed)
    {
        var tag = StageTag(stage);
        _running.Record(0, tag);
        _progress.Record(1, tag);
        _duration.Record(elapsed.TotalSeconds, tag);
        if (ImageCount is { } images && elapsed > TimeSpan.Zero)
        {
            _throughput.Record(images / elapsed.TotalSeconds, tag);
        }
    }

    /// <summary>Records progress; a detail such as <c>epoch 3: loss 0.0123, 4512 images/s</c> also sets the loss and throughput.</summary>
    public void StageProgress(string stage, int done, int total, string detail)
    {
        var tag = StageTag(stage);
        if (total > 0)
        {
            _progress.Record(Math.Clamp((double)done / total, 0, 1), tag);
        }
        if (detail is null)
        {
            return;
        }
        if (LossPattern().Match(detail) is { Success: true } loss && double.TryParse(loss.Groups[1].ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture, out var lossValue))
        {
            _loss.Record(lossValue, tag);
        }
        if (ThroughputPattern().Match(detail) is { Success: true } rate && double.TryParse(rate.Groups[1].ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture, out var rateValue))
        {
            _throughput.Record(rateValue, tag);
        }
    }

    /// <summary>Disposes the meter when this instance created it.</summary>
    public void Dispose() => _ownedMeter?.Dispose();

    private static KeyValuePair<string, object?> StageTag(string stage) => new("stage", stage);

    [GeneratedRegex(@"\bloss ([0-9.eE+-]+)")]
    private static partial Regex LossPattern();

    [GeneratedRegex(@"([0-9.]+) images/s")]
    private static partial Regex ThroughputPattern();
}
