namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>A grain finished one unit of work and wrote its output to the store.</summary>
/// <param name="OutputRef">Store reference of the output.</param>
/// <param name="SiloId">The silo that did the work.</param>
/// <param name="Seconds">Time spent in the grain.</param>
[GenerateSerializer, Immutable]
public sealed record ShardCompleted(string OutputRef, string SiloId, double Seconds);
