namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>The cluster's silos and jobs.</summary>
/// <param name="Silos">Every silo Orleans membership knows, active first.</param>
/// <param name="Jobs">Jobs, newest first.</param>
[GenerateSerializer, Immutable]
public sealed record ClusterStatus(IReadOnlyList<SiloInfo> Silos, IReadOnlyList<JobStatus> Jobs);
