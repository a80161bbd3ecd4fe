using System.Text.Json;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Storage;

namespace Distributed.Grains.Cluster.Coordinator;

/// <summary>A job's specification and checkpoint in the store.</summary>
public sealed class JobStore(ShardStore store)
{
    /// <summary>File name of the submitted specification.</summary>
    public const string SpecFile = "job.json";

    /// <summary>The store.</summary>
    public ShardStore Store { get; } = store;

    /// <summary>Writes the specification and a fresh checkpoint unless the job exists; returns whether it was new.</summary>
    public bool Create(SubmitJob job)
    {
        ArgumentNullException.ThrowIfNull(job);
        var spec = $"{ShardStore.JobRef(job.JobId)}/{SpecFile}";
        if (Store.Exists(spec))
        {
            return false;
        }
        Save(job.JobId, new JobState());
        Store.Write(spec, stream => JsonSerializer.Serialize(stream, job, Json.Options));
        return true;
    }

    /// <summary>The specification, or null for an unknown job.</summary>
    public SubmitJob? Spec(Guid jobId)
    {
        var reference = $"{ShardStore.JobRef(jobId)}/{SpecFile}";
        return Store.Exists(reference) ? Store.Read(reference, s => JsonSerializer.Deserialize<SubmitJob>(s, Json.Options)) : null;
    }

    /// <summary>The checkpoint, or null for an unknown job.</summary>
    public JobState? Load(Guid jobId)
    {
        var reference = $"{ShardStore.JobRef(jobId)}/{JobState.FileName}";
        return Store.Exists(reference) ? Store.Read(reference, s => JsonSerializer.Deserialize<JobState>(s, Json.Options)) : null;
    }

    /// <summary>Writes the checkpoint atomically.</summary>
    public void Save(Guid jobId, JobState state) =>
        Store.Write($"{ShardStore.JobRef(jobId)}/{JobState.FileName}", stream => JsonSerializer.Serialize(stream, state, Json.Options));

    /// <summary>Every job id in the store with a specification.</summary>
    public IEnumerable<Guid> Jobs()
    {
        var directory = Store.PathOf("jobs/.");
        if (!Directory.Exists(directory))
        {
            yield break;
        }
        foreach (var path in Directory.EnumerateDirectories(directory))
        {
            if (Guid.TryParseExact(Path.GetFileName(path), "N", out var id) && File.Exists(Path.Combine(path, SpecFile)))
            {
                yield return id;
            }
        }
    }

    /// <summary>The status answer for a job.</summary>
    public JobStatus Status(Guid jobId)
    {
        var state = Load(jobId);
        return state is null
            ? new JobStatus(jobId, JobStates.Unknown, "", 0, 0, "", null, null, 0)
            : new JobStatus(jobId, state.State, state.Phase, state.Done, state.Total, state.Detail, state.Error, state.OutputsRef, state.Messages);
    }
}
