using System.Text;
using Distributed.Grains.Storage;

namespace Distributed.Grains.Cluster.Store;

/// <summary>
/// <c>store gc</c>: removes from a shard store what finished, failed or crashed jobs left behind:
/// job directories untouched for longer than a given age (except the one holding the model the
/// registry serves) and interrupted writes' temporary files. Age is the guard for jobs that still
/// run: a running job writes to its directory at every phase and iteration.
/// </summary>
public static class StoreCollector
{
    /// <summary>Store reference of the file naming the registry's current model (written by the registry).</summary>
    public const string CurrentModelMarker = "registry/current-model";

    /// <summary>Collects <paramref name="store"/>; entries last written before <paramref name="now"/> − <paramref name="olderThan"/> go.</summary>
    public static StoreCollection Collect(ShardStore store, TimeSpan olderThan, DateTime now)
    {
        ArgumentNullException.ThrowIfNull(store);
        var cutoff = now.ToUniversalTime() - olderThan;
        var kept = CurrentModelJob(store);
        var jobs = 0;
        var leftovers = 0;
        long bytes = 0;
        var jobsDirectory = Path.Combine(store.Root, ShardStore.JobsFolder);
        if (Directory.Exists(jobsDirectory))
        {
            foreach (var job in Directory.EnumerateDirectories(jobsDirectory))
            {
                if (Path.GetFileName(job) == kept || LastWrite(job) >= cutoff)
                {
                    continue;
                }
                bytes += ShardStore.BytesOf(job);
                ShardStore.Remove(job);
                jobs++;
            }
        }
        foreach (var leftover in Leftovers(store.Root).ToList())
        {
            // One inside a leftover directory removed just before is gone already.
            if (!Path.Exists(leftover) || LastWrite(leftover) >= cutoff)
            {
                continue;
            }
            bytes += ShardStore.BytesOf(leftover);
            ShardStore.Remove(leftover);
            leftovers++;
        }
        return new StoreCollection(jobs, leftovers, bytes, kept);
    }

    /// <summary>The job directory name holding the registry's current model, or null.</summary>
    private static string? CurrentModelJob(ShardStore store)
    {
        if (!store.Exists(CurrentModelMarker))
        {
            return null;
        }
        var reference = Encoding.UTF8.GetString(File.ReadAllBytes(store.PathOf(CurrentModelMarker)));
        var parts = reference.Split('/');
        return parts.Length >= 2 && parts[0] == ShardStore.JobsFolder ? parts[1] : null;
    }

    /// <summary>Hidden temporary files and directories of interrupted atomic writes (<see cref="AtomicFile"/>).</summary>
    private static IEnumerable<string> Leftovers(string root) =>
        Directory.EnumerateFileSystemEntries(root, ".*.tmp-*", SearchOption.AllDirectories);

    private static DateTime LastWrite(string path)
    {
        if (!Directory.Exists(path))
        {
            return File.GetLastWriteTimeUtc(path);
        }
        var latest = Directory.GetLastWriteTimeUtc(path);
        foreach (var entry in Directory.EnumerateFileSystemEntries(path, "*", SearchOption.AllDirectories))
        {
            var written = File.GetLastWriteTimeUtc(entry);
            latest = written > latest ? written : latest;
        }
        return latest;
    }
}

/// <summary>What a store collection removed.</summary>
/// <param name="Jobs">Job directories removed.</param>
/// <param name="Leftovers">Temporary files and directories of interrupted writes removed.</param>
/// <param name="Bytes">Bytes freed.</param>
/// <param name="KeptJob">The job kept because it holds the registry's current model, if any.</param>
public sealed record StoreCollection(int Jobs, int Leftovers, long Bytes, string? KeptJob);
