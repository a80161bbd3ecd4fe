using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Ml.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Distributed.Grains.Cluster.Coordinator;

/// <summary>
/// Runs jobs on a coordinator silo: those submitted to it, and every job whose checkpoint says it
/// is still running and whose <see cref="JobLease"/> nobody else holds: at start (a restarted
/// coordinator resumes its jobs) and then every half lease (another coordinator takes over the
/// jobs of one that died). On shutdown the runners stop at their next wait and give their leases
/// back; their checkpoints stay, so the jobs resume at once on the next coordinator.
/// </summary>
public sealed partial class JobRunnerService(JobStore jobs, ShardDispatcher dispatcher, SiloOptions options,
    ILoggerFactory loggers, IPipelineObserver? observer = null) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<JobRunnerService>();
    private readonly JobLease _lease = new(jobs.Store, options.SiloId, options.LeaseDuration);
    private readonly Dictionary<Guid, Task> _running = [];
    private readonly Lock _gate = new();
    // Own source rather than ExecuteAsync's token: the bus starts first and may hand over a job before
    // ExecuteAsync runs. Never disposed: StopAsync can come after Dispose (MassTransit's test harness
    // disposes the container first), and a source without timers holds nothing to release.
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Starts running a job unless it is already running here.</summary>
    public void Start(Guid jobId)
    {
        lock (_gate)
        {
            if (_stop.IsCancellationRequested || (_running.TryGetValue(jobId, out var running) && !running.IsCompleted))
            {
                return;
            }
            _running[jobId] = Task.Run(() => RunAsync(jobId), CancellationToken.None);
        }
    }

    /// <summary>The task that runs or ran a job here, if any (tests wait on it).</summary>
    public Task? Running(Guid jobId)
    {
        lock (_gate)
        {
            return _running.GetValueOrDefault(jobId);
        }
    }

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        try
        {
            while (true)
            {
                try
                {
                    foreach (var id in jobs.Jobs())
                    {
                        if (Running(id) is not { IsCompleted: false } && jobs.Load(id) is { State: JobStates.Running })
                        {
                            Start(id);
                        }
                    }
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException or InvalidDataException or System.Text.Json.JsonException)
                {
                    // A store that cannot be read now (a shared volume remounting) must not stop the
                    // silo: a failing BackgroundService stops its host. The next scan tries again.
                    LogScanFailed(_logger, e);
                }
                await Task.Delay(options.LeaseDuration / 2, stoppingToken).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
            // Shutting down: wait for the runners to reach a checkpoint.
        }
        Task[] runners;
        lock (_gate)
        {
            runners = [.. _running.Values];
        }
        await Task.WhenAll(runners).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RunAsync(Guid jobId)
    {
        if (_lease.TryAcquire(jobId) is not { } generation)
        {
            return; // another coordinator runs it
        }
        using var job = CancellationTokenSource.CreateLinkedTokenSource(_stop.Token);
        using var renewal = new PeriodicTimer(options.LeaseDuration / 4);
        var renewing = RenewAsync(jobId, generation, renewal, job);
        try
        {
            if (jobs.Load(jobId) is { Phase: not JobPhases.Features } or { Done: > 0 })
            {
                LogResuming(_logger, jobId, generation);
            }
            var spec = jobs.Spec(jobId) ?? throw new JobFailedException($"job {jobId} has no specification in the store");
            var runner = new JobRunner(spec, jobs, dispatcher, options, loggers.CreateLogger<JobRunner>(), observer, () => _lease.Holds(jobId, generation));
            await runner.RunAsync(job.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !job.IsCancellationRequested)
        {
            LogCannotRun(_logger, e, jobId, e.Message);
            if (jobs.Load(jobId) is { } state)
            {
                state.State = JobStates.Failed;
                state.Error = e.Message;
                jobs.Save(jobId, state);
            }
        }
        finally
        {
            renewal.Dispose();
            await renewing.ConfigureAwait(false);
            _lease.Release(jobId, generation);
        }
    }

    /// <summary>Renews the lease every quarter lease; cancels the job if another coordinator has taken it (this one was presumed dead).</summary>
    private async Task RenewAsync(Guid jobId, long generation, PeriodicTimer timer, CancellationTokenSource job)
    {
        try
        {
            while (await timer.WaitForNextTickAsync().ConfigureAwait(false))
            {
                if (!_lease.Renew(jobId, generation))
                {
                    LogLeaseLost(_logger, jobId, generation);
                    await job.CancelAsync().ConfigureAwait(false);
                    return;
                }
            }
        }
        catch (IOException e)
        {
            // The store is unreachable: the runner's own writes fail too and end the job with the reason.
            LogRenewFailed(_logger, e, jobId);
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Scanning the store for jobs to run failed; trying again after half a lease")]
    private static partial void LogScanFailed(ILogger logger, Exception exception);

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming job {JobId} from its checkpoint (lease generation {Generation})")]
    private static partial void LogResuming(ILogger logger, Guid jobId, long generation);

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: lease generation {Generation} was taken over by another coordinator; stopping here")]
    private static partial void LogLeaseLost(ILogger logger, Guid jobId, long generation);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId}: the lease could not be renewed")]
    private static partial void LogRenewFailed(ILogger logger, Exception exception, Guid jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} cannot run: {Reason}")]
    private static partial void LogCannotRun(ILogger logger, Exception exception, Guid jobId, string reason);
}
