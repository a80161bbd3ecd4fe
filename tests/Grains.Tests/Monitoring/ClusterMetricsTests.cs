using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Monitoring;
using Microsoft.Extensions.DependencyInjection;

namespace Distributed.Grains.Tests.Monitoring;

/// <summary>The cluster's metrics: one phase series per job, progress, shard work pending and done.</summary>
public sealed class ClusterMetricsTests : IDisposable
{
    private static readonly Guid s_job = Guid.Parse("0f8fad5b-d9cb-469f-a165-70867728950e");
    private readonly ServiceProvider _services = new ServiceCollection().AddMonitoring().AddSingleton<ClusterMetrics>().BuildServiceProvider();
    private readonly HostMetrics _host;
    private readonly ClusterMetrics _metrics;

    public ClusterMetricsTests()
    {
        _host = _services.GetRequiredService<HostMetrics>();
        _metrics = _services.GetRequiredService<ClusterMetrics>();
    }

    public void Dispose() => _services.Dispose();

    [Fact]
    public void AJobHasOnePhaseSeriesThatMovesWithItAndGoesWhenItEnds()
    {
        _metrics.JobPhase(s_job, JobPhase.Features);
        _metrics.JobProgress(s_job, 3, 12);
        var text = MetricsText.Scrape(_host);
        Assert.Contains($"distributed_job_phase{{job_id=\"{s_job}\",phase=\"features\"}} 1\n", text);
        Assert.Contains($"distributed_job_shards_done{{job_id=\"{s_job}\"}} 3\n", text);
        Assert.Contains($"distributed_job_shards{{job_id=\"{s_job}\"}} 12\n", text);

        _metrics.JobPhase(s_job, JobPhase.Reduce);
        text = MetricsText.Scrape(_host);
        Assert.Contains($"distributed_job_phase{{job_id=\"{s_job}\",phase=\"reduce\"}} 1\n", text);
        Assert.DoesNotContain("phase=\"features\"", text);

        _metrics.JobEnded(s_job);
        text = MetricsText.Scrape(_host);
        Assert.DoesNotContain(s_job.ToString(), text);
    }

    [Fact]
    public void PendingShardWorkCountsUpAndDownPerRole()
    {
        _metrics.ShardsPending("cpu", 30);
        _metrics.ShardsPending("gpu", 4);
        _metrics.ShardsPending("cpu", -1);
        var text = MetricsText.Scrape(_host);
        Assert.Contains("distributed_cluster_shards_pending{role=\"cpu\"} 29\n", text);
        Assert.Contains("distributed_cluster_shards_pending{role=\"gpu\"} 4\n", text);
    }

    [Fact]
    public void ProcessedShardWorkIsACounterPerRoleAndOperation()
    {
        _metrics.ShardProcessed("gpu", ShardOperation.Encode);
        _metrics.ShardProcessed("gpu", ShardOperation.Encode);
        _metrics.ShardProcessed("cpu", ShardOperation.Statistics);
        var text = MetricsText.Scrape(_host);
        Assert.Contains("# TYPE distributed_cluster_shards_processed_total counter\n", text);
        Assert.Contains("distributed_cluster_shards_processed_total{role=\"gpu\",operation=\"encode\"} 2\n", text);
        Assert.Contains("distributed_cluster_shards_processed_total{role=\"cpu\",operation=\"statistics\"} 1\n", text);
    }
}
