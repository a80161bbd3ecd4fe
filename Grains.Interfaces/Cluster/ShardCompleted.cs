namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>A grain finished one unit of shard work and wrote its output to the store.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Shard">Shard index (the first tree for a tree group).</param>
/// <param name="OutputRef">Store reference of the output.</param>
/// <param name="SiloId">The silo that did the work.</param>
/// <param name="Seconds">Time spent in the grain.</param>
public sealed record ShardCompleted(Guid JobId, int Shard, string OutputRef, string SiloId, double Seconds);
