namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>
/// Work on one shard, keyed <c>&lt;job&gt;/&lt;shard&gt;</c> and placed on <c>cpu</c> silos,
/// spread by activation count: UMAP transform, k-means and Gaussian-mixture partial statistics,
/// and the final assignment. Every answer is a pure function of (shard, model), so the
/// coordinator's reduction does not depend on which silo did what. An activation keeps its shard's
/// rows in memory between clustering iterations.
/// </summary>
public interface IShardWorkerGrain : IGrainWithStringKey
{
    /// <summary>Places the shard's features in the fitted reducer's embedding.</summary>
    [ResponseTimeout("00:10:00")]
    Task<ShardCompleted> EmbedShard(EmbedShard request);

    /// <summary>Partial statistics of one clustering round over the shard, for every restart still running.</summary>
    [ResponseTimeout("00:10:00")]
    Task<ShardStatisticsComputed> ComputeStatistics(ComputeShardStatistics request);

    /// <summary>Labels the shard with the final clustering model.</summary>
    [ResponseTimeout("00:10:00")]
    Task<ShardCompleted> AssignShard(AssignShard request);

    /// <summary>Relabels the shard's images with the self-labelling CNN and keeps the CNN's features of them.</summary>
    [ResponseTimeout("00:10:00")]
    Task<ShardCompleted> RelabelShard(RelabelShard request);
}
