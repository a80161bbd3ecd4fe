using Orleans.Placement;

namespace Distributed.Grains.Cluster.Placement;

/// <summary>
/// Places a grain class only on silos whose <c>roles</c> metadata lists <paramref name="role"/>
/// (see <see cref="SiloRolePlacementFilterDirector"/>). When no such silo is active, a call to the
/// grain fails with Orleans' "No active nodes are compatible" error.
/// </summary>
[AttributeUsage(AttributeTargets.Class, AllowMultiple = false)]
public sealed class RequireSiloRoleAttribute(string role) : PlacementFilterAttribute(new SiloRolePlacementFilterStrategy(role))
{
    /// <summary>The role.</summary>
    public string Role { get; } = role;
}
