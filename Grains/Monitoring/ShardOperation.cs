namespace Distributed.Grains.Monitoring;

/// <summary>Kinds of shard work, the <c>operation</c> label of <c>distributed_cluster_shards_processed_total</c>.</summary>
public enum ShardOperation
{
    /// <summary>A feature extractor encoded a shard.</summary>
    Encode,

    /// <summary>A shard worker embedded a shard with the fitted reducer.</summary>
    Embed,

    /// <summary>A shard worker computed clustering statistics of its shard (one k-means or EM iteration).</summary>
    Statistics,

    /// <summary>A shard worker labelled its shard with the final clustering.</summary>
    Assign,

    /// <summary>A shard worker relabelled its shard with the self-labelling CNN.</summary>
    Relabel,

    /// <summary>A forest trainer grew a group of trees.</summary>
    Forest,
}
