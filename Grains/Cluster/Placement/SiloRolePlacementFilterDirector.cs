using Distributed.Grains.Cluster.Hosting;
using Orleans.Placement;
using Orleans.Runtime.MembershipService.SiloMetadata;
using Orleans.Runtime.Placement;

namespace Distributed.Grains.Cluster.Placement;

/// <summary>Keeps the candidate silos whose <see cref="SiloMetadataKeys.Roles"/> metadata lists the strategy's role.</summary>
public sealed class SiloRolePlacementFilterDirector(ISiloMetadataCache metadata) : IPlacementFilterDirector
{
    /// <inheritdoc/>
    public IEnumerable<SiloAddress> Filter(PlacementFilterStrategy filterStrategy, PlacementTarget target, IEnumerable<SiloAddress> silos)
    {
        var role = ((SiloRolePlacementFilterStrategy)filterStrategy).Role;
        // A silo that joined a moment ago reads as empty metadata until the cache fetches it: it gets no work yet.
        return silos.Where(silo => metadata.GetSiloMetadata(silo).Metadata.GetValueOrDefault(SiloMetadataKeys.Roles) is { } roles
            && roles.Split(',').Contains(role, StringComparer.Ordinal));
    }
}
