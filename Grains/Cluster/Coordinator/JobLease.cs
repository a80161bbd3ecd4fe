using System.Globalization;
using Distributed.Grains.Cluster.Store;

namespace Distributed.Grains.Cluster.Coordinator;

/// <summary>
/// Which coordinator silo runs a job, so that two coordinators sharing a store never advance the
/// same job at once. A lease is a file <c>jobs/&lt;id&gt;/lease-&lt;generation&gt;</c> created
/// exclusively (<see cref="FileMode.CreateNew"/>, O_EXCL, which shared volumes honour): of two
/// coordinators racing for the same generation exactly one creates it. The highest generation is
/// the lease; its owner renews it by touching the file, and once it has not been touched for
/// <see cref="Duration"/> another coordinator may take the next generation. The generation is a
/// fencing token: an owner that finds a higher generation has lost the job and stops.
/// </summary>
public sealed class JobLease(ShardStore store, string owner, TimeSpan duration, TimeProvider? clock = null)
{
    private const string Prefix = "lease-";
    private readonly TimeProvider _clock = clock ?? TimeProvider.System;

    /// <summary>This coordinator's identity, written into the leases it takes.</summary>
    public string Owner { get; } = owner;

    /// <summary>How long a lease lasts without renewal.</summary>
    public TimeSpan Duration { get; } = duration;

    /// <summary>Takes the job's lease unless another owner holds a live one. Returns the generation held, or null.</summary>
    public long? TryAcquire(Guid jobId)
    {
        var current = Current(jobId);
        if (current is { } held)
        {
            if (held.Owner == Owner)
            {
                Renew(jobId, held.Generation);
                return held.Generation;
            }
            if (_clock.GetUtcNow() - held.RenewedUtc < Duration)
            {
                return null;
            }
        }
        var generation = (current?.Generation ?? 0) + 1;
        try
        {
            using var file = new FileStream(PathOf(jobId, generation), FileMode.CreateNew, FileAccess.Write);
            using var writer = new StreamWriter(file);
            writer.Write(Owner);
        }
        catch (IOException) when (File.Exists(PathOf(jobId, generation)))
        {
            return null; // another coordinator took this generation first
        }
        Renew(jobId, generation);
        return generation;
    }

    /// <summary>Whether <paramref name="generation"/> is still the job's lease.</summary>
    public bool Holds(Guid jobId, long generation) => Current(jobId) is { } current && current.Generation == generation && current.Owner == Owner;

    /// <summary>Touches the lease; returns false when it is no longer this owner's (a later generation exists).</summary>
    public bool Renew(Guid jobId, long generation)
    {
        if (!Holds(jobId, generation))
        {
            return false;
        }
        File.SetLastWriteTimeUtc(PathOf(jobId, generation), _clock.GetUtcNow().UtcDateTime);
        return true;
    }

    /// <summary>Gives the lease back (marks it expired) so that the next coordinator need not wait for it to lapse.</summary>
    public void Release(Guid jobId, long generation)
    {
        if (Holds(jobId, generation))
        {
            File.SetLastWriteTimeUtc(PathOf(jobId, generation), DateTime.UnixEpoch);
        }
    }

    /// <summary>The job's current lease: highest generation, its owner and when it was last renewed; null when none was taken.</summary>
    public (long Generation, string Owner, DateTimeOffset RenewedUtc)? Current(Guid jobId)
    {
        var directory = store.PathOf(ShardStore.JobRef(jobId) + "/.");
        if (!Directory.Exists(directory))
        {
            return null;
        }
        var generation = 0L;
        foreach (var path in Directory.EnumerateFiles(directory, Prefix + "*"))
        {
            if (long.TryParse(Path.GetFileName(path).AsSpan(Prefix.Length), NumberStyles.None, CultureInfo.InvariantCulture, out var g) && g > generation)
            {
                generation = g;
            }
        }
        if (generation == 0)
        {
            return null;
        }
        var file = PathOf(jobId, generation);
        try
        {
            return (generation, File.ReadAllText(file), new DateTimeOffset(File.GetLastWriteTimeUtc(file), TimeSpan.Zero));
        }
        catch (FileNotFoundException)
        {
            return null; // the job directory was removed meanwhile
        }
    }

    private string PathOf(Guid jobId, long generation) =>
        store.PathOf($"{ShardStore.JobRef(jobId)}/{Prefix}{generation.ToString("D6", CultureInfo.InvariantCulture)}");
}
