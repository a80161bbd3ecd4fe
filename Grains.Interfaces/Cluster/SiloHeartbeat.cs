namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Published by every silo at a fixed interval so that coordinators know who is up and with which roles.</summary>
/// <param name="SiloId">Unique per silo process.</param>
/// <param name="Host">Machine name.</param>
/// <param name="ProcessId">Operating-system process id.</param>
/// <param name="Roles">Roles the silo runs (gpu, cpu, coordinator, predictor).</param>
/// <param name="StartedUtc">When the silo started.</param>
/// <param name="SentUtc">When this heartbeat was sent.</param>
public sealed record SiloHeartbeat(string SiloId, string Host, int ProcessId, IReadOnlyList<string> Roles, DateTimeOffset StartedUtc, DateTimeOffset SentUtc);
