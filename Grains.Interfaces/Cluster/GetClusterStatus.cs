namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Asks a coordinator for the silos it hears from and the jobs in the store. Answered by <see cref="ClusterStatus"/>.</summary>
public sealed record GetClusterStatus;
