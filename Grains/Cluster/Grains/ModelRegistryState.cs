using Distributed.Grains.Interfaces.Cluster;

namespace Distributed.Grains.Cluster.Grains;

/// <summary>Persistent state of <see cref="ModelRegistryGrain"/>.</summary>
[GenerateSerializer]
public sealed class ModelRegistryState
{
    /// <summary>The current model, or null before any is published.</summary>
    [Id(0)]
    public PublishedModel? Current { get; set; }
}
