namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>
/// Partial statistics of one clustering round over a shard: one query per restart still running.
/// The models travel inline: each is k×d centres or a k-component mixture (a few KB), never the rows.
/// </summary>
/// <param name="DataRef">Store reference of the shard's rows (the embedding).</param>
/// <param name="Queries">The round's queries, answered in this order.</param>
[GenerateSerializer, Immutable]
public sealed record ComputeShardStatistics(string DataRef, ShardStatisticsQuery[] Queries);
