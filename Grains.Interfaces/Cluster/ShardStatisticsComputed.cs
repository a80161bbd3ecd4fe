namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>A shard's partial statistics for each query of a round, exact to the bit in the store's statistics format (k×d² doubles at most each).</summary>
/// <param name="Statistics">The statistics, encoded, in the order of the queries.</param>
/// <param name="SiloId">The silo that computed them.</param>
/// <param name="Seconds">Time spent in the grain.</param>
[GenerateSerializer, Immutable]
public sealed record ShardStatisticsComputed(byte[][] Statistics, string SiloId, double Seconds);
