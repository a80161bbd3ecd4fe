using System.Globalization;
using System.Text.RegularExpressions;
using Distributed.Ml.Pipeline;
using Prometheus;

namespace Distributed.Grains.Monitoring;

/// <summary>
/// Job progress of a labelling pipeline as metrics (<c>distributed_pipeline_*</c>): which stage runs,
/// its progress, its duration, its throughput in images/s and the autoencoder's training loss.
/// Pass it as the <see cref="IPipelineObserver"/> of a run; thread-safe.
/// </summary>
public sealed partial class PipelineMetrics : IPipelineObserver
{
    /// <summary>Stage duration buckets in seconds, from sub-second test runs to an hour-long autoencoder fit.</summary>
    public static readonly IReadOnlyList<double> DurationBuckets = [0.1, 0.5, 1, 2.5, 5, 10, 30, 60, 120, 300, 600, 1800, 3600];

    private readonly Gauge _running;
    private readonly Gauge _progress;
    private readonly Histogram _duration;
    private readonly Gauge _throughput;
    private readonly Gauge _loss;

    /// <summary>Creates the metrics in the host's registry.</summary>
    /// <param name="host">The host's metrics registry.</param>
    /// <param name="imageCount">Images the run processes, for the images/s of stages that report no throughput themselves.</param>
    public PipelineMetrics(HostMetrics host, long? imageCount = null)
    {
        ArgumentNullException.ThrowIfNull(host);
        var factory = host.Factory;
        ImageCount = imageCount;
        _running = factory.CreateGauge("distributed_pipeline_stage_running", "1 while the stage runs, 0 once it has completed.", ["stage"]);
        _progress = factory.CreateGauge("distributed_pipeline_stage_progress_ratio", "Share of the stage's steps done (0 to 1).", ["stage"]);
        _duration = factory.CreateHistogram("distributed_pipeline_stage_duration_seconds", "Duration of completed stages.",
            new HistogramConfiguration { LabelNames = ["stage"], Buckets = [.. DurationBuckets] });
        _throughput = factory.CreateGauge("distributed_pipeline_stage_images_per_second", "Images per second of the stage's latest step or of the whole stage.", ["stage"]);
        _loss = factory.CreateGauge("distributed_pipeline_autoencoder_loss", "Training loss of the autoencoder's latest epoch.", ["stage"]);
    }

    /// <summary>Images the run processes; null when unknown.</summary>
    public long? ImageCount { get; set; }

    /// <inheritdoc />
    public void StageStarted(string stage)
    {
        _running.WithLabels(stage).Set(1);
        _progress.WithLabels(stage).Set(0);
    }

    /// <inheritdoc />
    public void StageCompleted(string stage, TimeSpan elapsed)
    {
        _running.WithLabels(stage).Set(0);
        _progress.WithLabels(stage).Set(1);
        _duration.WithLabels(stage).Observe(elapsed.TotalSeconds);
        if (ImageCount is { } images && elapsed > TimeSpan.Zero)
        {
            _throughput.WithLabels(stage).Set(images / elapsed.TotalSeconds);
        }
    }

    /// <summary>Records progress; a detail such as <c>epoch 3: loss 0.0123, 4512 images/s</c> also sets the loss and throughput.</summary>
    public void StageProgress(string stage, int done, int total, string detail)
    {
        if (total > 0)
        {
            _progress.WithLabels(stage).Set(Math.Clamp((double)done / total, 0, 1));
        }
        if (detail is null)
        {
            return;
        }
        if (LossPattern().Match(detail) is { Success: true } loss && double.TryParse(loss.Groups[1].ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture, out var lossValue))
        {
            _loss.WithLabels(stage).Set(lossValue);
        }
        if (ThroughputPattern().Match(detail) is { Success: true } rate && double.TryParse(rate.Groups[1].ValueSpan, NumberStyles.Float, CultureInfo.InvariantCulture, out var rateValue))
        {
            _throughput.WithLabels(stage).Set(rateValue);
        }
    }

    [GeneratedRegex(@"\bloss ([0-9.eE+-]+)")]
    private static partial Regex LossPattern();

    [GeneratedRegex(@"([0-9.]+) images/s")]
    private static partial Regex ThroughputPattern();
}
