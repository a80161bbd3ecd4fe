namespace Distributed.Grains.Cluster.Hosting;

/// <summary>Settings of a silo (and of the Client's embedded silo). Every default is here.</summary>
public sealed record SiloOptions
{
    /// <summary>Roles this silo runs. Default all of <see cref="SiloRoles.All"/>.</summary>
    public IReadOnlyList<string> Roles { get; init; } = SiloRoles.All;

    /// <summary>Broker URI (<c>amqp://user:pass@host:port/vhost</c>); null for the in-memory transport (embedded mode).</summary>
    public Uri? Broker { get; init; }

    /// <summary>The shared store directory. Required.</summary>
    public required string Store { get; init; }

    /// <summary>Identity of this silo process in heartbeats and answers. Default host-pid-random.</summary>
    public string SiloId { get; init; } = $"{Environment.MachineName}-{Environment.ProcessId}-{Guid.NewGuid().ToString("N")[..6]}";

    /// <summary>Messages a grain endpoint works on at once. Default the processor count (each message's work is parallel already, but I/O overlaps).</summary>
    public int ConcurrentMessageLimit { get; init; } = Math.Max(1, Environment.ProcessorCount);

    /// <summary>
    /// How long the coordinator waits for one shard's answer before sending the request again.
    /// Default 10 minutes: a shard is seconds of work, but a request may queue behind others.
    /// </summary>
    public TimeSpan ShardTimeout { get; init; } = TimeSpan.FromMinutes(10);

    /// <summary>How long the coordinator waits for the feature extractor's training. Default 60 minutes.</summary>
    public TimeSpan TrainingTimeout { get; init; } = TimeSpan.FromMinutes(60);

    /// <summary>Times a request is sent before its job fails (timeouts only; a fault fails at once). Default 3.</summary>
    public int RequestAttempts { get; init; } = 3;

    /// <summary>In-grain retries of a failing message, with exponential backoff, before it goes to the error queue. Default 3.</summary>
    public int MessageRetries { get; init; } = 3;

    /// <summary>Interval between heartbeats. Default 2 seconds; a silo is listed while its last heartbeat is under 3 intervals old.</summary>
    public TimeSpan HeartbeatInterval { get; init; } = TimeSpan.FromSeconds(2);

    /// <summary>
    /// How long a coordinator's lease on a job lasts without renewal (renewed every quarter of it).
    /// Another coordinator sharing the store takes over a job whose lease lapsed. Default 60 seconds.
    /// </summary>
    public TimeSpan LeaseDuration { get; init; } = TimeSpan.FromSeconds(60);

    /// <summary>Compute backend of the feature-extraction grains: <c>cpu</c> (the only one in this build). Default cpu.</summary>
    public string FeatureBackend { get; init; } = "cpu";

    /// <summary>Model bundle the predictor grain loads at start; null to wait for a <c>ReloadModel</c>.</summary>
    public string? Model { get; init; }
}
