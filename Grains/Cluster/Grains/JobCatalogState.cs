namespace Distributed.Grains.Cluster.Grains;

/// <summary>Persistent state of <see cref="ClusterStatusGrain"/>: the ids of every job submitted.</summary>
[GenerateSerializer]
public sealed class JobCatalogState
{
    /// <summary>Job ids in submission order.</summary>
    [Id(0)]
    public List<Guid> Jobs { get; set; } = [];
}
