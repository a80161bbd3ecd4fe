namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>The coordinator accepted a <see cref="SubmitJob"/> and will run (or is already running) it.</summary>
/// <param name="JobId">The job.</param>
/// <param name="SiloId">The coordinator silo that accepted it.</param>
public sealed record JobSubmitted(Guid JobId, string SiloId);
