namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>One silo as Orleans membership and the silo's metadata describe it.</summary>
/// <param name="SiloId">The silo's <c>--id</c>.</param>
/// <param name="Address">Its Orleans address (ip:port@generation).</param>
/// <param name="Roles">Roles it runs (gpu, cpu, coordinator, predictor).</param>
/// <param name="Status">Membership status (Active, ShuttingDown, Dead, …).</param>
[GenerateSerializer, Immutable]
public sealed record SiloInfo(string SiloId, string Address, IReadOnlyList<string> Roles, string Status);
