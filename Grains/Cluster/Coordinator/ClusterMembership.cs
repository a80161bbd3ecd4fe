using System.Collections.Concurrent;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Interfaces.Cluster;

namespace Distributed.Grains.Cluster.Coordinator;

/// <summary>The silos a coordinator has heard from, by their latest heartbeat.</summary>
public sealed class ClusterMembership(SiloOptions options, TimeProvider time)
{
    private readonly ConcurrentDictionary<string, SiloHeartbeat> _silos = new();

    /// <summary>Records a heartbeat.</summary>
    public void Heard(SiloHeartbeat heartbeat)
    {
        ArgumentNullException.ThrowIfNull(heartbeat);
        _silos[heartbeat.SiloId] = heartbeat;
    }

    /// <summary>Silos whose last heartbeat is younger than three intervals, by id.</summary>
    public IReadOnlyList<SiloHeartbeat> Live()
    {
        var cutoff = time.GetUtcNow() - 3 * options.HeartbeatInterval;
        return [.. _silos.Values.Where(s => s.SentUtc >= cutoff).OrderBy(s => s.SiloId, StringComparer.Ordinal)];
    }
}
