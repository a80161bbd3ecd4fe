using Orleans.Concurrency;

namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>
/// The coordinator of one labelling job, keyed by the job id and placed on <c>coordinator</c>
/// silos. Orleans keeps one activation per job; the job runs as a checkpointed state machine whose
/// state is persisted after every phase and iteration, and a reminder resumes it on another
/// coordinator silo when its silo dies.
/// </summary>
public interface ILabellingJobGrain : IGrainWithGuidKey
{
    /// <summary>Accepts the job and starts it; submitting the same job again only returns its status.</summary>
    Task<JobStatus> Submit(LabellingJobSpec spec);

    /// <summary>The job's state and progress, answered while the job runs.</summary>
    [AlwaysInterleave]
    Task<JobStatus> GetStatus();

    /// <summary>
    /// The job's status once it has ended, or after <paramref name="longest"/> (at most
    /// <see cref="LongestWait"/>) while it still runs: a client follows a job with these calls and
    /// learns of its end at once instead of at its next poll.
    /// </summary>
    [AlwaysInterleave]
    Task<JobStatus> WaitForEnd(TimeSpan longest);

    /// <summary>The longest a <see cref="WaitForEnd"/> call waits, well inside Orleans' response timeout.</summary>
    static TimeSpan LongestWait => TimeSpan.FromSeconds(10);

    /// <summary>Stops the job at its next step; it ends as <see cref="JobState.Cancelled"/>.</summary>
    [AlwaysInterleave]
    Task<JobStatus> Cancel();
}
