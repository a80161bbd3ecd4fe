using Distributed.Grains.Cluster.Grains;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Placement;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Monitoring;
using Distributed.Ml.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Storage;

namespace Distributed.Grains.Cluster.Coordinator;

/// <summary>
/// The coordinator of one job, on <c>coordinator</c> silos. Orleans keeps a single activation per
/// job, which is the only runner. The run starts on submission and whenever the grain activates
/// with a running checkpoint: after its silo died, the next status call or the job's reminder
/// activates it on another coordinator silo, which resumes from the checkpoint. Status and cancel
/// interleave with the run (they only read or flag state).
/// </summary>
[RequireSiloRole(SiloRoles.Coordinator)]
public sealed partial class LabellingJobGrain(
    [PersistentState("labelling-job", LabellingSiloHosting.StorageName)] IPersistentState<JobCheckpoint> checkpoint,
    ShardStore store, SiloOptions silo, IClusterMembershipService membership, ILocalSiloDetails localSilo, IHostApplicationLifetime lifetime,
    IServiceProvider services, ILogger<LabellingJobGrain> logger)
    : Grain, ILabellingJobGrain, IRemindable
{
    /// <summary>Reminder that brings the job back if its silo dies while nobody asks for its status.</summary>
    private const string ResumeReminder = "resume";

    /// <summary>Reminder period: Orleans' minimum. A status poll resumes the job sooner.</summary>
    private static readonly TimeSpan s_reminderPeriod = TimeSpan.FromMinutes(1);

    /// <summary>Attempts of one checkpoint write; the pauses between them (1, 2, 4, then 8 s) ride out a Redis restart of about half a minute.</summary>
    private const int SaveAttempts = 8;

    /// <summary>How long a running job keeps its activation from idle collection (longer than any job; a silo's shutdown still deactivates it).</summary>
    private static readonly TimeSpan s_runKeepsActivation = TimeSpan.FromDays(7);

    /// <summary>Longest pause between two checkpoint write attempts.</summary>
    private static readonly TimeSpan s_longestSavePause = TimeSpan.FromSeconds(8);

    private JobCheckpoint State => checkpoint.State;

    private bool Stopping => lifetime.ApplicationStopping.IsCancellationRequested;

    private CancellationTokenSource? _stop;
    private Task? _run;
    private bool _cancelRequested;

    /// <inheritdoc/>
    public override Task OnActivateAsync(CancellationToken cancellationToken)
    {
        if (State.State == JobState.Running)
        {
            State.Resumptions++;
            LogResuming(logger, this.GetPrimaryKey(), State.Phase, silo.SiloId);
            Start();
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public override async Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        // Draining (SIGTERM) or idle collection: stop at the next await; the checkpoint holds the
        // progress and the reminder (or the next status call) resumes the job on another silo.
        if (_run is { IsCompleted: false } run)
        {
            await _stop!.CancelAsync().ConfigureAwait(true);
            await run.WaitAsync(cancellationToken).ConfigureAwait(true);
        }
    }

    /// <inheritdoc/>
    public async Task<JobStatus> Submit(LabellingJobSpec spec)
    {
        ArgumentNullException.ThrowIfNull(spec);
        if (State.Spec is null)
        {
            spec.Options.Validate();
            State.Spec = spec;
            State.State = JobState.Running;
            State.SubmittedUtc = DateTimeOffset.UtcNow;
            await SaveAsync().ConfigureAwait(true);
            await this.RegisterOrUpdateReminder(ResumeReminder, s_reminderPeriod, s_reminderPeriod).ConfigureAwait(true);
            await GrainFactory.GetGrain<IClusterStatusGrain>(0).AddJob(this.GetPrimaryKey()).ConfigureAwait(true);
            Start();
        }
        return Status();
    }

    /// <inheritdoc/>
    public Task<JobStatus> GetStatus() => Task.FromResult(Status());

    /// <inheritdoc/>
    public async Task<JobStatus> WaitForEnd(TimeSpan longest)
    {
        // The run ends when the job does, and also when this activation stops it (a drain): the
        // caller then sees a running job and asks again, which resumes it on another silo.
        if (State.State == JobState.Running && _run is { } run)
        {
            await LongPoll.UntilEndedAsync(run, longest, ILabellingJobGrain.LongestWait).ConfigureAwait(true);
        }
        return Status();
    }

    /// <inheritdoc/>
    public async Task<JobStatus> Cancel()
    {
        if (State.State == JobState.Running)
        {
            _cancelRequested = true;
            if (_run is { IsCompleted: false })
            {
                await _stop!.CancelAsync().ConfigureAwait(true);
            }
            else
            {
                await EndCancelled().ConfigureAwait(true);
            }
        }
        return Status();
    }

    /// <inheritdoc/>
    public async Task ReceiveReminder(string reminderName, TickStatus status)
    {
        if (State.State != JobState.Running)
        {
            await ForgetReminder().ConfigureAwait(true); // finished: nothing to resume any more
            return;
        }
        Start(); // activation already resumed it, unless the run stopped without finishing
    }

    private JobStatus Status() =>
        new(this.GetPrimaryKey(), State.State, State.Phase, State.Done, State.Total, State.Detail, State.Error, State.OutputsRef, State.GrainCalls,
            silo.SiloId, State.SubmittedUtc, State.FeatureBackend);

    /// <summary>Starts the run unless it is running; it runs on this grain's scheduler and yields at every await.</summary>
    private void Start()
    {
        if (_run is { IsCompleted: false })
        {
            return;
        }
        _stop?.Dispose();
        _stop = new CancellationTokenSource();
        _run = RunAsync(_stop.Token);
    }

    private async Task RunAsync(CancellationToken cancellationToken)
    {
        // Let the call that started the run return first.
        await Task.Yield();
        // The run's own calls are outgoing, and Orleans collects an activation that receives none:
        // a job nobody polls must not be collected mid-phase. Back to normal collection once it ends.
        DelayDeactivation(s_runKeepsActivation);
        try
        {
            var runner = new JobRunner(this.GetPrimaryKey(), State, GrainFactory, store, silo, AloneInCluster, SaveAsync,
                logger, services.GetService<IPipelineObserver>(), services.GetRequiredService<ClusterMetrics>());
            await runner.RunAsync(cancellationToken).ConfigureAwait(true);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            DelayDeactivation(TimeSpan.FromTicks(-1));
            if (_cancelRequested)
            {
                await EndCancelled().ConfigureAwait(true);
            }
            return;
        }
        catch (Exception e) when (e is JobFailedException or InvalidDataException or IOException or ArgumentException)
        {
            // The job cannot even start (its manifest is gone or unreadable).
            LogCannotRun(logger, e, this.GetPrimaryKey(), e.Message);
            State.State = JobState.Failed;
            State.Error = e.Message;
            await SaveAsync().ConfigureAwait(true);
        }
        DelayDeactivation(TimeSpan.FromTicks(-1));
        if (State.State != JobState.Running)
        {
            await ForgetReminder().ConfigureAwait(true);
        }
    }

    /// <summary>
    /// Writes the checkpoint, trying again while the storage cannot be reached (Redis restarting):
    /// a job must not fail for good because its state could not be written for a few seconds.
    /// </summary>
    private async Task SaveAsync()
    {
        var pause = TimeSpan.FromSeconds(1);
        for (var attempt = 1; ; attempt++)
        {
            try
            {
                await checkpoint.WriteStateAsync().ConfigureAwait(true);
                return;
            }
            // Not once this silo stops: its own storage may be going with it (the embedded silo's
            // in-memory store), and the job resumes elsewhere from the last checkpoint anyway.
            catch (Exception e) when (e is not InconsistentStateException && attempt < SaveAttempts && !Stopping)
            {
                LogSaveFailed(logger, this.GetPrimaryKey(), attempt, SaveAttempts, e.Message);
            }
            await Task.Delay(pause).ConfigureAwait(true);
            pause = TimeSpan.FromTicks(Math.Min(pause.Ticks * 2, s_longestSavePause.Ticks));
        }
    }

    private async Task EndCancelled()
    {
        JobRunner.StopTrainings(GrainFactory, this.GetPrimaryKey());
        State.State = JobState.Cancelled;
        State.Detail = "cancelled";
        await SaveAsync().ConfigureAwait(true);
        await ForgetReminder().ConfigureAwait(true);
    }

    private async Task ForgetReminder()
    {
        if (await this.GetReminder(ResumeReminder).ConfigureAwait(true) is { } reminder)
        {
            await this.UnregisterReminder(reminder).ConfigureAwait(true);
        }
    }

    /// <summary>Whether this silo is the only active one: then every shard lives here.</summary>
    private bool AloneInCluster()
    {
        var active = membership.CurrentSnapshot.Members.Values.Where(m => m.Status == SiloStatus.Active).ToList();
        return active.Count == 1 && active[0].SiloAddress.Equals(localSilo.SiloAddress);
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: resuming from its checkpoint in phase {Phase} on silo {SiloId}")]
    private static partial void LogResuming(ILogger logger, Guid jobId, JobPhase phase, string siloId);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: writing the checkpoint failed (attempt {Attempt} of {Attempts}), trying again: {Reason}")]
    private static partial void LogSaveFailed(ILogger logger, Guid jobId, int attempt, int attempts, string reason);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} cannot run: {Reason}")]
    private static partial void LogCannotRun(ILogger logger, Exception exception, Guid jobId, string reason);
}
