using Distributed.Grains.Cluster.Store;

namespace Distributed.Grains.Cluster.Hosting;

/// <summary>How a job is cut up and waited for. Every default is here.</summary>
public sealed record ClusterJobSettings
{
    /// <summary>Images per shard. Default <see cref="ShardIngest.DefaultShardSize"/> (10,000).</summary>
    public int ShardSize { get; init; } = ShardIngest.DefaultShardSize;

    /// <summary>Seeded sample the feature extractor is trained on. Default 60,000 (all of MNIST's training set).</summary>
    public int EncoderSampleRows { get; init; } = 60_000;

    /// <summary>
    /// Seeded sample UMAP is fitted on. Default 100,000, which covers MNIST's 70,000: when the sample
    /// is every row, each row keeps its place in the fitted layout (as the in-process run does);
    /// otherwise workers transform every shard against the layout fitted on the sample.
    /// </summary>
    public int UmapSampleRows { get; init; } = 100_000;

    /// <summary>Trees per forest-trainer call. Default 10.</summary>
    public int TreesPerGroup { get; init; } = 10;

    /// <summary>How often the client reports a running job's progress; its end is seen at once. Default 1 second.</summary>
    public TimeSpan PollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>How long the cluster may fail to answer before the client gives up. Default 2 minutes (a dead silo is declared dead and its grains move in seconds).</summary>
    public TimeSpan CoordinatorTimeout { get; init; } = TimeSpan.FromMinutes(2);

    /// <summary>How long the whole job may take. Default 4 hours.</summary>
    public TimeSpan JobTimeout { get; init; } = TimeSpan.FromHours(4);
}
