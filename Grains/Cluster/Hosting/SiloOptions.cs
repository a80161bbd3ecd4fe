using Distributed.Grains.Cluster.Store;

namespace Distributed.Grains.Cluster.Hosting;

/// <summary>Settings of a silo (and of the Client's embedded silo). Every default is here.</summary>
public sealed record SiloOptions
{
    /// <summary>The Orleans ports a silo picks when none is given: 0 means a free port.</summary>
    public const int AnyPort = 0;

    /// <summary>Roles this silo runs. Default all of <see cref="SiloRoles.All"/>.</summary>
    public IReadOnlyList<string> Roles { get; init; } = SiloRoles.All;

    /// <summary>
    /// Redis (<c>host:port</c>) holding membership, grain state and reminders; null for a silo
    /// alone on localhost clustering with in-memory state and reminders (the embedded mode).
    /// </summary>
    public string? Redis { get; init; }

    /// <summary>
    /// Password of <see cref="Redis"/>, or null when it needs none. Kept apart from the address and
    /// handed to the Redis client as it is, so any character (':', '@', '/', ...) works.
    /// </summary>
    public string? RedisPassword { get; init; }

    /// <summary>The shared store directory. Required.</summary>
    public required string Store { get; init; }

    /// <summary>
    /// Whether the store's writes are synced to disk: with Redis, where a job's checkpoint outlives
    /// this process and its job resumes elsewhere from what the store holds; not with in-memory state,
    /// whose jobs die with the process.
    /// </summary>
    public StoreDurability StoreDurability => DurabilityWith(Redis);

    /// <summary>The store durability of a silo, or of a client writing for the cluster, whose grain state is in <paramref name="redis"/> (null: in memory).</summary>
    public static StoreDurability DurabilityWith(string? redis) => redis is null ? StoreDurability.Unsynced : StoreDurability.Synced;

    /// <summary>Identity of this silo in status and logs (<c>--id</c>). Default host-pid-random.</summary>
    public string SiloId { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>Orleans cluster id: silos and clients of one cluster share it. Default <c>distributed</c>.</summary>
    public string ClusterId { get; init; } = "distributed";

    /// <summary>Orleans service id: names the grain state and reminders in Redis. Default <c>distributed</c>.</summary>
    public string ServiceId { get; init; } = "distributed";

    /// <summary>Port silos talk to each other on. Default a free port (<see cref="AnyPort"/>), so several silos share one machine.</summary>
    public int SiloPort { get; init; } = AnyPort;

    /// <summary>Port clients connect to. Default a free port.</summary>
    public int GatewayPort { get; init; } = AnyPort;

    /// <summary>Address other silos and clients reach this one on; null for loopback with Redis off, else the host's first address.</summary>
    public string? AdvertisedAddress { get; init; }

    /// <summary>
    /// Compute backend of the feature-extraction grains (see <see cref="FeatureBackends"/>). Default
    /// <see cref="FeatureBackendChoice.Auto"/>: CUDA on a <c>gpu</c> silo with a CUDA device, the CPU otherwise.
    /// </summary>
    public FeatureBackendChoice FeatureBackend { get; init; } = FeatureBackendChoice.Auto;

    /// <summary>How often a predictor silo asks the model registry for a newer model. Default 2 seconds.</summary>
    public TimeSpan ModelPollInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>Longest the coordinator waits in one call for an extractor's training to end (it sees the end at once). Default 1 second.</summary>
    public TimeSpan TrainingPollInterval { get; init; } = TimeSpan.FromSeconds(1);

    /// <summary>Attempts of one grain call that failed because its silo went away, before the job fails. Default 5.</summary>
    public int CallAttempts { get; init; } = 5;
}
