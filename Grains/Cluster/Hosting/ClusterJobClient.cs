using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Jobs;
using Distributed.Grains.Storage;
using MassTransit;

namespace Distributed.Grains.Cluster.Hosting;

/// <summary>
/// Runs a labelling job on a cluster (or the embedded one): ingests the images into the store,
/// submits the job to a coordinator, polls its status, and copies the outputs into the output
/// directory in the format of <see cref="LabellingJob"/>.
/// </summary>
public sealed class ClusterJobClient(IBus bus, ShardStore store, ClusterJobSettings settings)
{
    /// <summary>Runs the job; returns the metrics document. <paramref name="progress"/> sees every status polled.</summary>
    /// <exception cref="InputFileException">An input file is unusable.</exception>
    /// <exception cref="ClusterJobException">The job failed, or the cluster stopped answering.</exception>
    public async Task<JsonObject> RunAsync(LabellingJobRequest request, Action<JobStatus>? progress = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Validate();
        var jobId = Guid.NewGuid();
        var ingested = ShardIngest.Ingest(store, jobId, request.ImagesPath, request.LabelsPath, settings.ShardSize, request.KnownLabelsPath);
        var submit = new SubmitJob(jobId, ingested.ShardsRef, ingested.LabelsRef, JsonSerializer.Serialize(request.Options, Json.Options),
            settings.EncoderSampleRows, settings.UmapSampleRows, settings.TreesPerGroup, ingested.KnownLabelsRef);
        await Ask<SubmitJob, JobSubmitted>(submit, nameof(SubmitJob), cancellationToken).ConfigureAwait(false);

        var status = await WaitAsync(jobId, progress, cancellationToken).ConfigureAwait(false);
        if (status.State == JobStates.Failed)
        {
            throw new ClusterJobException($"job {jobId:N} failed: {status.Error}");
        }
        return CopyOutputs(store.PathOf(status.OutputsRef!), request.OutputDirectory);
    }

    /// <summary>Asks a coordinator for the cluster's silos and jobs.</summary>
    public Task<ClusterStatus> StatusAsync(CancellationToken cancellationToken = default) =>
        Ask<GetClusterStatus, ClusterStatus>(new GetClusterStatus(), nameof(GetClusterStatus), cancellationToken);

    private async Task<JobStatus> WaitAsync(Guid jobId, Action<JobStatus>? progress, CancellationToken cancellationToken)
    {
        var job = Stopwatch.StartNew();
        while (true)
        {
            var status = await Ask<GetJobStatus, JobStatus>(new GetJobStatus(jobId), nameof(GetJobStatus), cancellationToken).ConfigureAwait(false);
            progress?.Invoke(status);
            if (status.State is JobStates.Completed or JobStates.Failed)
            {
                return status;
            }
            if (job.Elapsed > settings.JobTimeout)
            {
                throw new ClusterJobException($"job {jobId:N} did not finish within {settings.JobTimeout}; last phase {status.Phase} ({status.Detail})");
            }
            await Task.Delay(settings.PollInterval, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>A request to the coordinator queue, asked again until one answers or <see cref="ClusterJobSettings.CoordinatorTimeout"/> passes.</summary>
    private async Task<TResponse> Ask<TRequest, TResponse>(TRequest request, string what, CancellationToken cancellationToken)
        where TRequest : class
        where TResponse : class
    {
        var client = bus.CreateRequestClient<TRequest>(ClusterQueues.Address(ClusterQueues.Coordinator));
        var waited = Stopwatch.StartNew();
        while (true)
        {
            try
            {
                var response = await client.GetResponse<TResponse>(request, cancellationToken, RequestTimeout.After(ms: (int)settings.RequestTimeout.TotalMilliseconds)).ConfigureAwait(false);
                return response.Message;
            }
            catch (RequestTimeoutException e) when (waited.Elapsed < settings.CoordinatorTimeout)
            {
                _ = e; // A coordinator may be restarting; ask again.
            }
            catch (RequestTimeoutException e)
            {
                throw new ClusterJobException($"no coordinator answered {what} within {settings.CoordinatorTimeout.TotalSeconds:0} s (is a silo with the coordinator role running?)", e);
            }
            catch (RequestFaultException e)
            {
                throw new ClusterJobException($"the coordinator refused {what}: {e.Fault?.Exceptions.FirstOrDefault()?.Message ?? e.Message}", e);
            }
        }
    }

    private static JsonObject CopyOutputs(string outputs, string outputDirectory)
    {
        var output = Path.GetFullPath(outputDirectory);
        Directory.CreateDirectory(output);
        var staging = AtomicFile.TemporarySibling(Path.Combine(output, "outputs"), "staging");
        try
        {
            CopyDirectory(outputs, staging);
            AtomicFile.MoveDirectoryIntoPlace(Path.Combine(staging, JobOutputs.Model), Path.Combine(output, JobOutputs.Model));
            File.Move(Path.Combine(staging, JobOutputs.Assignments), Path.Combine(output, JobOutputs.Assignments), overwrite: true);
            File.Move(Path.Combine(staging, JobOutputs.Metrics), Path.Combine(output, JobOutputs.Metrics), overwrite: true);
        }
        finally
        {
            AtomicFile.TryDeleteDirectory(staging);
        }
        return JsonNode.Parse(File.ReadAllText(Path.Combine(output, JobOutputs.Metrics)))!.AsObject();
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
}
