namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Silos whose heartbeat is recent and every job in the store.</summary>
/// <param name="Silos">Latest heartbeat of each live silo.</param>
/// <param name="Jobs">Jobs, newest first.</param>
public sealed record ClusterStatus(IReadOnlyList<SiloHeartbeat> Silos, IReadOnlyList<JobStatus> Jobs);
