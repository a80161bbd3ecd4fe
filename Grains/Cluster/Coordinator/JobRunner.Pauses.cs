using Distributed.Grains.Cluster.Store;
using Microsoft.Extensions.Logging;

namespace Distributed.Grains.Cluster.Coordinator;

public sealed partial class JobRunner
{
    /// <summary>Pause after the first store error that can pass; doubled after each further one.</summary>
    private static readonly TimeSpan s_firstPause = TimeSpan.FromSeconds(1);

    /// <summary>
    /// Longest pause between two tries: a job paused for disk space resumes within this long of
    /// the space being freed, and a paused job costs one try per this long.
    /// </summary>
    private static readonly TimeSpan s_longestPause = TimeSpan.FromSeconds(30);

    /// <summary>
    /// Runs one phase. When it fails with a store error that can pass (<see cref="StoreErrors"/>: a
    /// full disk or quota, a device error, an I/O timeout) the job pauses: its status says so and
    /// why, the error is counted, and the phase runs again from the checkpoint after a pause that
    /// doubles up to <see cref="s_longestPause"/>, for as long as it takes or until the job is
    /// cancelled. The phase's work is idempotent (a resumed job relies on it too), so nothing is
    /// lost and the result is the one an undisturbed run gives. Any other error ends the job.
    /// </summary>
    private async Task Resilient(Func<Task> phase, CancellationToken cancellationToken)
    {
        var pause = s_firstPause;
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await phase().ConfigureAwait(true);
                if (attempt > 1)
                {
                    LogResumed(_logger, _jobId, _state.Phase, attempt);
                }
                return;
            }
            catch (Exception e) when (!cancellationToken.IsCancellationRequested && StoreErrors.TransientCause(e) is { } cause)
            {
                _metrics.TransientStoreError();
                _state.Detail = $"paused: {cause}; try {attempt + 1} in {pause.TotalSeconds:0} s";
                await _save().ConfigureAwait(true);
                LogPaused(_logger, _jobId, _state.Phase, cause, pause.TotalSeconds);
            }
            await Task.Delay(pause, cancellationToken).ConfigureAwait(true);
            pause = pause * 2 < s_longestPause ? pause * 2 : s_longestPause;
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId} paused in phase {Phase}: {Cause}; it tries again in {PauseS} s")]
    private static partial void LogPaused(ILogger logger, Guid jobId, Interfaces.Cluster.JobPhase phase, string cause, double pauseS);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} resumed phase {Phase} on try {Attempt}")]
    private static partial void LogResumed(ILogger logger, Guid jobId, Interfaces.Cluster.JobPhase phase, int attempt);
}
