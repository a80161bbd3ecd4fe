namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Asks a coordinator for one job's state. Answered by <see cref="JobStatus"/>.</summary>
/// <param name="JobId">The job.</param>
public sealed record GetJobStatus(Guid JobId);
