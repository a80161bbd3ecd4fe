namespace Distributed.Grains.Cluster.Hosting;

/// <summary>Keys of the metadata every silo publishes through Orleans membership.</summary>
public static class SiloMetadataKeys
{
    /// <summary>Comma-separated roles (<see cref="SiloRoles"/>).</summary>
    public const string Roles = "roles";

    /// <summary>The silo's <c>--id</c>.</summary>
    public const string Id = "id";
}
