using Orleans.Metadata;
using Orleans.Placement;

namespace Distributed.Grains.Cluster.Placement;

/// <summary>The role a grain class needs, carried in the grain type's properties to every silo's placement.</summary>
public sealed class SiloRolePlacementFilterStrategy : PlacementFilterStrategy
{
    private const string RoleProperty = "role";

    /// <summary>For Orleans, which creates the strategy and then reads the role from the grain properties.</summary>
    public SiloRolePlacementFilterStrategy()
        : base(order: 0)
    {
    }

    /// <summary>A strategy for <paramref name="role"/>.</summary>
    public SiloRolePlacementFilterStrategy(string role)
        : base(order: 0)
    {
        Role = role;
    }

    /// <summary>The role a silo must have.</summary>
    public string Role { get; private set; } = "";

    /// <inheritdoc/>
    public override void AdditionalInitialize(GrainProperties properties) =>
        Role = GetPlacementFilterGrainProperty(RoleProperty, properties) ?? "";

    /// <inheritdoc/>
    protected override IEnumerable<KeyValuePair<string, string>> GetAdditionalGrainProperties(IServiceProvider services, Type grainClass, GrainType grainType,
        IReadOnlyDictionary<string, string> existingProperties)
    {
        yield return new KeyValuePair<string, string>(RoleProperty, Role);
    }
}
