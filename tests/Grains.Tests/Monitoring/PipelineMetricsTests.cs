using Distributed.Grains.Jobs;
using Distributed.Grains.Monitoring;
using Distributed.Ml.Pipeline;
using Microsoft.Extensions.DependencyInjection;

namespace Distributed.Grains.Tests.Monitoring;

/// <summary>The pipeline observer turns stage events into the <c>distributed_pipeline_*</c> metrics.</summary>
public sealed class PipelineMetricsTests : IDisposable
{
    private readonly ServiceProvider _services = new ServiceCollection().AddMonitoring().BuildServiceProvider();
    private readonly HostMetrics _host;
    private readonly PipelineMetrics _metrics;

    public PipelineMetricsTests()
    {
        _host = _services.GetRequiredService<HostMetrics>();
        _metrics = new PipelineMetrics(_host);
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public void StageEventsSetPhaseProgressThroughputAndLoss()
    {
        _metrics.StageStarted("features");
        _metrics.StageProgress("features", 3, 12, "epoch 3: loss 0.0425, 4512 images/s");
        var text = MetricsText.Scrape(_host);
        Assert.Contains("distributed_pipeline_stage_running{stage=\"features\"} 1\n", text);
        Assert.Contains("distributed_pipeline_stage_progress_ratio{stage=\"features\"} 0.25\n", text);
        Assert.Contains("distributed_pipeline_autoencoder_loss{stage=\"features\"} 0.0425\n", text);
        Assert.Contains("distributed_pipeline_stage_images_per_second{stage=\"features\"} 4512\n", text);

        _metrics.ImageCount = 1000;
        _metrics.StageCompleted("features", TimeSpan.FromSeconds(4));
        text = MetricsText.Scrape(_host);
        Assert.Contains("distributed_pipeline_stage_running{stage=\"features\"} 0\n", text);
        Assert.Contains("distributed_pipeline_stage_progress_ratio{stage=\"features\"} 1\n", text);
        Assert.Contains("distributed_pipeline_stage_images_per_second{stage=\"features\"} 250\n", text);
        Assert.Contains("distributed_pipeline_stage_duration_seconds_bucket{stage=\"features\",le=\"5\"} 1\n", text);
        Assert.Contains("distributed_pipeline_stage_duration_seconds_bucket{stage=\"features\",le=\"2.5\"} 0\n", text);
        Assert.Contains("distributed_pipeline_stage_duration_seconds_sum{stage=\"features\"} 4\n", text);
    }

    [Fact]
    public void ObservesARealLabellingJob()
    {
        using var temp = new TempDirectory();
        var (images, _) = SyntheticImages.Write(temp.Path, perClass: 20);
        _metrics.ImageCount = 60;
        LabellingJob.Run(new LabellingJobRequest(images, temp.File("out"), TrainedModels.Options with { ForestTrees = 3 }), _metrics);
        var text = MetricsText.Scrape(_host);
        foreach (var stage in new[] { LabellingJob.LoadStage, ClusteringPipeline.FeaturesStage, ClusteringPipeline.ClusterStage, ClusteringPipeline.ClassifierStage, LabellingJob.WriteStage })
        {
            Assert.Contains($"distributed_pipeline_stage_running{{stage=\"{stage}\"}} 0\n", text);
            Assert.Contains($"distributed_pipeline_stage_duration_seconds_count{{stage=\"{stage}\"}} 1\n", text);
        }
    }
}
