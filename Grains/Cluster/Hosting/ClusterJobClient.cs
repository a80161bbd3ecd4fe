using System.Diagnostics;
using System.Text.Json.Nodes;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Jobs;
using Distributed.Grains.Reporting;
using Distributed.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace Distributed.Grains.Cluster.Hosting;

/// <summary>
/// Runs a labelling job on a cluster (or the embedded silo): ingests the images into the store,
/// submits the job to its <see cref="ILabellingJobGrain"/>, follows its status, and publishes the
/// outputs into the output directory as <see cref="LabellingJob"/> does (<see cref="RunOutputs"/>).
/// </summary>
public sealed partial class ClusterJobClient(IGrainFactory grains, ClusterJobSettings settings, ILogger? logger = null)
{
    /// <summary>Runs the job with its shards in <paramref name="store"/> (the silos' shared store); returns the metrics document. <paramref name="progress"/> sees every status polled.</summary>
    /// <exception cref="InputFileException">An input file is unusable.</exception>
    /// <exception cref="ClusterJobException">The job failed, or the cluster stopped answering.</exception>
    public Task<(JsonObject Metrics, ReportWritten Report)> RunAsync(ShardStore store, LabellingJobRequest request, Action<JobStatus>? progress = null, CancellationToken cancellationToken = default) =>
        RunAsync(store, Ingest(store, request, settings), progress, cancellationToken);

    /// <summary>
    /// Splits the request's images (and labels) into shards in <paramref name="store"/> under a new
    /// job id. Needs no cluster, so a caller can do it while its silo is still starting.
    /// </summary>
    /// <exception cref="InputFileException">An input file is unusable.</exception>
    public static IngestedRequest Ingest(ShardStore store, LabellingJobRequest request, ClusterJobSettings settings)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(settings);
        request.Options.Validate();
        var jobId = Guid.NewGuid();
        return new IngestedRequest(jobId, request, ShardIngest.Ingest(store, jobId, request.ImagesPath, request.LabelsPath, settings.ShardSize, request.KnownLabelsPath));
    }

    /// <summary>Runs a job ingested by <see cref="Ingest"/> into <paramref name="store"/>; returns the metrics document.</summary>
    /// <exception cref="ClusterJobException">The job failed, or the cluster stopped answering.</exception>
    public async Task<(JsonObject Metrics, ReportWritten Report)> RunAsync(ShardStore store, IngestedRequest ingested, Action<JobStatus>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(ingested);
        var (jobId, request, shards) = ingested;
        var spec = new LabellingJobSpec(shards.ShardsRef, shards.LabelsRef, shards.KnownLabelsRef, request.Options,
            settings.EncoderSampleRows, settings.UmapSampleRows, settings.TreesPerGroup, request.KeepJobData);
        var job = grains.GetGrain<ILabellingJobGrain>(jobId);
        cancellationToken.ThrowIfCancellationRequested();
        await Ask(() => job.Submit(spec), "submitting the job", cancellationToken).ConfigureAwait(false);

        JobStatus status;
        try
        {
            status = await WaitAsync(job, progress, cancellationToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            // Nobody would collect the outputs: stop the job rather than leave it running on the cluster.
            await CancelAsync(job, jobId).ConfigureAwait(false);
            throw;
        }
        if (status.State != JobState.Completed)
        {
            throw new ClusterJobException($"job {jobId:N} {status.State.ToString().ToLowerInvariant()}: {status.Error ?? status.Detail}");
        }
        var outputs = store.PathOf(status.OutputsRef!);
        return RunOutputs.Publish(request, staging =>
        {
            CopyDirectory(outputs, staging);
            return JsonNode.Parse(File.ReadAllText(Path.Combine(staging, JobOutputs.Metrics)))!.AsObject();
        }, logger);
    }

    /// <summary>The cluster's silos and jobs.</summary>
    public Task<ClusterStatus> StatusAsync(CancellationToken cancellationToken = default) =>
        Ask(() => grains.GetGrain<IClusterStatusGrain>(0).GetStatus(), "asking for the cluster's status", cancellationToken);

    /// <summary>
    /// Follows the job to its end: each call returns at the end or after the poll interval with the
    /// progress so far, so the end is seen at once and progress at the interval.
    /// </summary>
    private async Task<JobStatus> WaitAsync(ILabellingJobGrain job, Action<JobStatus>? progress, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        while (true)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var asked = Stopwatch.GetTimestamp();
            var status = await Ask(() => job.WaitForEnd(settings.PollInterval), "waiting for the job", cancellationToken).ConfigureAwait(false);
            progress?.Invoke(status);
            if (status.State != JobState.Running)
            {
                return status;
            }
            if (clock.Elapsed > settings.JobTimeout)
            {
                throw new ClusterJobException($"job {status.JobId:N} did not finish within {settings.JobTimeout}; last phase {status.Phase} ({status.Detail})");
            }
            if (Stopwatch.GetElapsedTime(asked) < s_shortestWait)
            {
                // Running without a run: its activation is stopping (a drain) and the next call resumes it elsewhere.
                await Task.Delay(s_shortestWait, cancellationToken).ConfigureAwait(false);
            }
        }
    }

    /// <summary>Asks the job to stop, giving up after <see cref="s_cancelWait"/>: the caller is going away either way.</summary>
    private async Task CancelAsync(ILabellingJobGrain job, Guid jobId)
    {
        try
        {
            await job.Cancel().WaitAsync(s_cancelWait).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException or SiloUnavailableException)
        {
            if (logger is not null)
            {
                LogCancelFailed(logger, jobId, e.Message);
            }
        }
    }

    private static readonly TimeSpan s_cancelWait = TimeSpan.FromSeconds(10);

    /// <summary>Least time between two waits, so a job between activations is not asked in a tight loop.</summary>
    private static readonly TimeSpan s_shortestWait = TimeSpan.FromMilliseconds(50);

    /// <summary>
    /// A call to the cluster, made again while the cluster cannot answer (the job's silo died and
    /// its grain is moving, or no coordinator has joined yet) until <see cref="ClusterJobSettings.CoordinatorTimeout"/> passes.
    /// </summary>
    private async Task<T> Ask<T>(Func<Task<T>> call, string what, CancellationToken cancellationToken)
    {
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                // Cancelled: stop waiting at once (a status poll may wait seconds for the job's end).
                return await call().WaitAsync(cancellationToken).ConfigureAwait(false);
            }
            catch (Exception e) when (e is OrleansException or TimeoutException or SiloUnavailableException)
            {
                if (waited.Elapsed >= settings.CoordinatorTimeout)
                {
                    throw new ClusterJobException($"{what}: the cluster did not answer within {settings.CoordinatorTimeout.TotalSeconds:0} s (is a silo with the coordinator role running?): {e.Message}", e);
                }
            }
            await Task.Delay(TimeSpan.FromSeconds(1), cancellationToken).ConfigureAwait(false);
        }
    }
    private static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
        foreach (var directory in Directory.GetDirectories(source))
        {
            CopyDirectory(directory, Path.Combine(target, Path.GetFileName(directory)));
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: could not ask the cluster to cancel it: {Reason}")]
    private static partial void LogCancelFailed(ILogger logger, Guid jobId, string reason);
}
