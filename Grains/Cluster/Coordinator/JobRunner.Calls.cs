using System.Diagnostics;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Microsoft.Extensions.Logging;

namespace Distributed.Grains.Cluster.Coordinator;

public sealed partial class JobRunner
{
    /// <summary>Pause before the first retry of a call whose silo went away; doubled for each further one.</summary>
    private static readonly TimeSpan s_firstBackoff = TimeSpan.FromSeconds(1);

    /// <summary>
    /// One grain call, counted, and tried again when it failed because of the cluster rather than
    /// the work: the silo died or is leaving (its grain reactivates elsewhere), the call timed out,
    /// or no silo with the grain's role is active yet (a silo's roles are known a moment after it
    /// joins). Work is idempotent, so a retry gives the same answer. A grain's own exception fails
    /// the job at once with the grain's reason.
    /// </summary>
    private async Task<T> CallAsync<T>(string what, Func<Task<T>> call, Func<T, double> grainSeconds, CancellationToken cancellationToken, bool counted = true)
    {
        var backoff = s_firstBackoff;
        for (var attempt = 1; ; attempt++)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var started = Stopwatch.GetTimestamp();
            if (counted)
            {
                _state.GrainCalls++;
            }
            try
            {
                // A cancelled job stops waiting at once; the call's own work ends on its grain.
                var answer = await call().WaitAsync(cancellationToken).ConfigureAwait(true);
                if (counted)
                {
                    _state.CallSeconds += Stopwatch.GetElapsedTime(started).TotalSeconds;
                    _state.GrainSeconds += grainSeconds(answer);
                }
                return answer;
            }
            catch (Exception e) when (IsClusterFailure(e))
            {
                if (attempt >= _silo.CallAttempts)
                {
                    throw new JobFailedException(NoCompatibleSilo(e)
                        ? $"{what}: no active silo has the role it needs ({e.Message})"
                        : $"{what}: failed {attempt} times because of the cluster: {e.Message}", e);
                }
                LogRetrying(_logger, _jobId, what, attempt, _silo.CallAttempts, e.Message);
            }
            await Task.Delay(backoff, cancellationToken).ConfigureAwait(true);
            backoff *= 2;
        }
    }

    private static bool IsClusterFailure(Exception e) =>
        e is SiloUnavailableException or OrleansMessageRejectionException or TimeoutException || NoCompatibleSilo(e);

    private static bool NoCompatibleSilo(Exception e) =>
        e is OrleansException && e.Message.Contains("No active nodes are compatible", StringComparison.Ordinal);

    /// <summary>One call per shard to silos of <paramref name="role"/>, all at once; answers in shard order, with progress per answer.</summary>
    private Task<ShardCompleted[]> ForEachShard(string role, string detail, Func<ShardInfo, Task<ShardCompleted>> call, CancellationToken cancellationToken) =>
        FanOut(role, _manifest.Shards, detail, shard => $"shard {shard.Index}", call, cancellationToken);

    /// <summary>One call per item to silos of <paramref name="role"/>, all at once; answers in item order, with progress per answer.</summary>
    private Task<ShardCompleted[]> FanOut<T>(string role, IReadOnlyList<T> items, string detail, Func<T, string> name, Func<T, Task<ShardCompleted>> call,
        CancellationToken cancellationToken)
    {
        var done = 0;
        Progress(0, items.Count, detail);
        return Pending(role, items, async item =>
        {
            var answer = await CallAsync($"{detail}: {name(item)}", () => call(item), a => a.Seconds, cancellationToken).ConfigureAwait(true);
            Progress(++done, items.Count, detail);
            return answer;
        });
    }

    /// <summary>
    /// Calls <paramref name="call"/> for every item at once and counts the calls not yet answered in
    /// <c>distributed_cluster_shards_pending</c> for <paramref name="role"/>, the gauge worker silos
    /// autoscale on. Continuations run on the grain's scheduler, one at a time, so the count needs no lock.
    /// </summary>
    private async Task<TAnswer[]> Pending<TItem, TAnswer>(string role, IReadOnlyList<TItem> items, Func<TItem, Task<TAnswer>> call)
    {
        var outstanding = items.Count;
        _metrics.ShardsPending(role, outstanding);
        try
        {
            return await Task.WhenAll(items.Select(async item =>
            {
                var answer = await call(item).ConfigureAwait(true);
                outstanding--;
                _metrics.ShardsPending(role, -1);
                return answer;
            })).ConfigureAwait(true);
        }
        finally
        {
            _metrics.ShardsPending(role, -outstanding);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: {What} failed (attempt {Attempt} of {Attempts}), trying again: {Reason}")]
    private static partial void LogRetrying(ILogger logger, Guid jobId, string what, int attempt, int attempts, string reason);
}
