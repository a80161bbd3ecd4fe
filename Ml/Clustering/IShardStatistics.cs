namespace Distributed.Ml.Clustering;

/// <summary>
/// Computes partial sufficient statistics over a fixed, ordered set of shards, wherever the shards
/// live (in this process, or on workers of a cluster). <see cref="ShardedClustering"/> reduces the
/// answers in shard order, so the result does not depend on who computed which shard.
/// </summary>
public interface IShardStatistics
{
    /// <summary>
    /// Every shard's answer to every query of one round, as <see cref="ShardStatisticsWorker.Answer"/>
    /// computes it: <c>result[q][s]</c> answers query <c>q</c> on shard <c>s</c>, shards in shard
    /// order. A round holds at most one query per restart.
    /// </summary>
    Task<IReadOnlyList<IReadOnlyList<ShardAnswer>>> ComputeAsync(IReadOnlyList<ShardQuery> queries, CancellationToken cancellationToken);
}
