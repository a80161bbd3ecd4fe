using System.Collections.Concurrent;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Ml.Pipeline;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Distributed.Grains.Cluster.Coordinator;

/// <summary>
/// Runs jobs on a coordinator silo: those submitted to it, and on start every job whose checkpoint
/// says it is still running (a restarted coordinator resumes them). On shutdown the runners stop
/// at their next wait; their checkpoints stay, so the jobs resume on the next start.
/// </summary>
public sealed partial class JobRunnerService(JobStore jobs, ShardDispatcher dispatcher, SiloOptions options, ITrainingSetRebalancer rebalancer,
    ILoggerFactory loggers, IPipelineObserver? observer = null) : BackgroundService
{
    private readonly ILogger _logger = loggers.CreateLogger<JobRunnerService>();
    private readonly ConcurrentDictionary<Guid, Task> _running = new();
    // Own source rather than ExecuteAsync's token: the bus starts first and may hand over a job before
    // ExecuteAsync runs. Never disposed: StopAsync can come after Dispose (MassTransit's test harness
    // disposes the container first), and a source without timers holds nothing to release.
    private readonly CancellationTokenSource _stop = new();

    /// <summary>Starts running a job unless it is already running here.</summary>
    public void Start(Guid jobId)
    {
        if (_stop.IsCancellationRequested)
        {
            return;
        }
        _running.GetOrAdd(jobId, id => Task.Run(() => RunAsync(id), CancellationToken.None));
    }

    /// <summary>The task running a job here, if any (tests wait on it).</summary>
    public Task? Running(Guid jobId) => _running.GetValueOrDefault(jobId);

    /// <inheritdoc/>
    protected override async Task ExecuteAsync(CancellationToken stoppingToken)
    {
        foreach (var id in jobs.Jobs())
        {
            if (jobs.Load(id) is { State: JobStates.Running })
            {
                LogResuming(_logger, id);
                Start(id);
            }
        }
        try
        {
            await Task.Delay(Timeout.Infinite, stoppingToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // Shutting down: wait for the runners to reach a checkpoint.
        }
        await Task.WhenAll(_running.Values).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public override async Task StopAsync(CancellationToken cancellationToken)
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await base.StopAsync(cancellationToken).ConfigureAwait(false);
    }

    private async Task RunAsync(Guid jobId)
    {
        try
        {
            var spec = jobs.Spec(jobId) ?? throw new JobFailedException($"job {jobId} has no specification in the store");
            var runner = new JobRunner(spec, jobs, dispatcher, options, rebalancer, loggers.CreateLogger<JobRunner>(), observer);
            await runner.RunAsync(_stop.Token).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException || !_stop.IsCancellationRequested)
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
            _running.TryRemove(jobId, out _);
        }
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Resuming job {JobId} from its checkpoint")]
    private static partial void LogResuming(ILogger logger, Guid jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} cannot run: {Reason}")]
    private static partial void LogCannotRun(ILogger logger, Exception exception, Guid jobId, string reason);
}
