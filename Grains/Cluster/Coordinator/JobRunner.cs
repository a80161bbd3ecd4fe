using System.Diagnostics;
using System.Text.Json;
using Distributed.Grains.Cluster.Grains;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Storage;
using Distributed.Ml.Embedding;
using Distributed.Ml.Features;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;
using Microsoft.Extensions.Logging;

namespace Distributed.Grains.Cluster.Coordinator;

/// <summary>
/// Runs one cluster job as a state machine over <see cref="JobState"/>: features → reduce →
/// cluster → assign → classifier, checkpointing after every phase and clustering iteration so a
/// restarted coordinator resumes where the last checkpoint left off.
/// </summary>
/// <remarks>
/// Every shard's answer is a pure function of (shard, model, seed) and reductions are merged in
/// shard order, so the result is the same with any number of silos and any interleaving. It is
/// not bit-identical to the in-process <c>LabellingJob</c>: k-means++ seeds on the coordinator's
/// sample (whose variance also scales k-means' tolerance, and whose farthest rows take over empty
/// clusters), sums are grouped by shard, and above <see cref="SubmitJob.UmapSampleRows"/> rows
/// UMAP is fitted on a sample and every row transformed.
/// </remarks>
public sealed partial class JobRunner
{
    private readonly SubmitJob _job;
    private readonly PipelineOptions _options;
    private readonly JobStore _jobs;
    private readonly ShardStore _store;
    private readonly ShardDispatcher _dispatcher;
    private readonly SiloOptions _silo;
    private readonly ILogger _logger;
    private readonly JobState _state;
    private readonly ShardManifest _manifest;
    private readonly string _dir;
    private readonly Lock _gate = new();
    private readonly IPipelineObserver? _observer;
    private readonly Func<bool>? _holdsLease;
    private string? _stage;

    /// <summary>Prepares to run (or resume) <paramref name="job"/> from its checkpoint.</summary>
    public JobRunner(SubmitJob job, JobStore jobs, ShardDispatcher dispatcher, SiloOptions silo, ILogger logger,
        IPipelineObserver? observer = null, Func<bool>? holdsLease = null)
    {
        _holdsLease = holdsLease;
        _observer = observer;
        ArgumentNullException.ThrowIfNull(job);
        ArgumentNullException.ThrowIfNull(jobs);
        _job = job;
        _jobs = jobs;
        _store = jobs.Store;
        _dispatcher = dispatcher;
        _silo = silo;
        _logger = logger;
        _options = JsonSerializer.Deserialize<PipelineOptions>(job.OptionsJson, Json.Options) ?? throw new JobFailedException("the job has no options");
        _state = jobs.Load(job.JobId) ?? new JobState();
        _manifest = ShardIngest.ReadManifest(_store, job.ShardsRef);
        _dir = ShardStore.JobRef(job.JobId);
    }

    /// <summary>The checkpoint being advanced.</summary>
    public JobState State => _state;

    /// <summary>Runs the remaining phases. Failures are recorded in the checkpoint; cancellation leaves the job to be resumed.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        if (_state.State != JobStates.Running)
        {
            return;
        }
        try
        {
            _options.Validate();
            ClusteringPipeline.CheckImageCount(_manifest.Images, _options);
            if (_state.Phase == JobPhases.Features)
            {
                await Timed(ClusteringPipeline.FeaturesStage, () => FeaturesAsync(cancellationToken)).ConfigureAwait(false);
                Advance(JobPhases.Reduce);
            }
            if (_state.Phase == JobPhases.Reduce)
            {
                await Timed(ClusteringPipeline.ReduceStage, () => ReduceAsync(cancellationToken)).ConfigureAwait(false);
                Advance(JobPhases.Cluster);
            }
            if (_state.Phase == JobPhases.Cluster)
            {
                await Timed(ClusteringPipeline.ClusterStage, () => ClusterAsync(cancellationToken)).ConfigureAwait(false);
                Advance(JobPhases.Assign);
            }
            if (_state.Phase == JobPhases.Assign)
            {
                await Timed(ClusteringPipeline.ClusterStage, () => AssignAsync(cancellationToken)).ConfigureAwait(false);
                Advance(JobPhases.Classifier);
            }
            if (_state.Phase == JobPhases.Classifier)
            {
                _stage = null; // the tail times its own stages; its progress belongs to the phase
                await FinishAsync(cancellationToken).ConfigureAwait(false);
                lock (_gate)
                {
                    _state.State = JobStates.Completed;
                    _state.Phase = JobPhases.Done;
                    _state.Detail = "outputs written";
                    Checkpoint();
                }
                LogCompleted(_logger, _job.JobId, _state.Messages);
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogInterrupted(_logger, _job.JobId, _state.Phase);
        }
        catch (Exception e) when (e is not OperationCanceledException || !cancellationToken.IsCancellationRequested)
        {
            // Any other failure (a grain's fault, a corrupt file read here, a bug) ends the job with
            // its reason: a job must fail visibly rather than stay "running" with no runner.
            LogFailed(_logger, e, _job.JobId, _state.Phase, e.Message);
            lock (_gate)
            {
                _state.State = JobStates.Failed;
                _state.Error = $"{_state.Phase}: {e.Message}";
                Checkpoint();
            }
        }
    }

    private async Task FeaturesAsync(CancellationToken cancellationToken)
    {
        if (_options.Features == FeatureMethod.Pixels)
        {
            return;
        }
        if (_state.ExtractorRef is null)
        {
            Progress(0, 1, $"training the {CliNames.Of(_options.Features)} extractor");
            var kind = _options.Features == FeatureMethod.Pca ? PcaModel.Kind : AutoencoderModel.Kind;
            var request = new TrainFeatureExtractor(_job.JobId, _job.ShardsRef, _job.OptionsJson, _job.EncoderSampleRows,
                GrainContext.ModelRef($"{_dir}/models", "features", kind));
            var trained = await _dispatcher.Run<TrainFeatureExtractor, FeatureExtractorTrained>(ClusterQueues.Features, [request],
                nameof(TrainFeatureExtractor), _silo.TrainingTimeout, (answer, seconds) => Count(answer.Seconds, seconds), cancellationToken).ConfigureAwait(false);
            lock (_gate)
            {
                _state.ExtractorRef = trained[0].ModelRef;
                _state.TrainingLoss = trained[0].TrainingLoss.Count > 0 ? [.. trained[0].TrainingLoss] : null;
                Checkpoint();
            }
        }
        var extractor = _state.ExtractorRef!;
        await ForEachShard(ClusterQueues.Features, nameof(ExtractFeatures), "encoding shards",
            s => new ExtractFeatures(_job.JobId, s.Index, s.ImagesRef, extractor, FeaturesRef(s)), cancellationToken).ConfigureAwait(false);
    }

    private async Task ReduceAsync(CancellationToken cancellationToken)
    {
        if (_options.Reduce == ReductionMethod.None)
        {
            return;
        }
        if (_state.ReducerRef is null)
        {
            Progress(0, 1, $"fitting {CliNames.Of(_options.Reduce)} on a sample of {Math.Min(_job.UmapSampleRows, _manifest.Images)} rows");
            var sample = ShardIngest.Gather(_store, _manifest, FeaturesRef, SampleRows());
            IFittedTransform reducer = _options.Reduce == ReductionMethod.Umap
                ? await Task.Run(() => Umap.Fit(sample, _options.Umap with { Components = _options.ReducedDimensions, Seed = _options.Seed }), cancellationToken).ConfigureAwait(false)
                : Pca.Fit(sample, new PcaOptions { Components = _options.ReducedDimensions });
            if (reducer is UmapModel umap && KeepsFittedLayout)
            {
                // Every row keeps its place in the fitted layout, as umap-learn's fit_transform and the
                // in-process run do; transforming rows UMAP was fitted on would re-place each one as if
                // it were new, which scatters rows between clusters (MNIST seed 3: accuracy 0.974 → 0.871).
                foreach (var shard in _manifest.Shards)
                {
                    _store.WriteMatrix(EmbeddingRef(shard), new Matrix(shard.Rows, umap.Embedding.Cols, umap.Embedding.RowBlock(shard.FirstRow, shard.Rows).ToArray()));
                }
            }
            var reference = GrainContext.ModelRef($"{_dir}/models", "reduce", PipelineModel.KindOf(reducer));
            _store.Write(reference, reducer.Save);
            lock (_gate)
            {
                _state.ReducerRef = reference;
                Checkpoint();
            }
        }
        if (KeepsFittedLayout)
        {
            return;
        }
        var reducerRef = _state.ReducerRef!;
        await ForEachShard(ClusterQueues.Work, nameof(EmbedShard), "embedding shards",
            s => new EmbedShard(_job.JobId, s.Index, FeaturesRef(s), reducerRef, EmbeddingRef(s)), cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Whether UMAP is fitted on every row, so that its fitted layout is the embedding and no shard is transformed.</summary>
    private bool KeepsFittedLayout => _options.Reduce == ReductionMethod.Umap && _job.UmapSampleRows >= _manifest.Images;

    /// <summary>The seeded sample of rows the reducer is fitted on and k-means++ seeds from.</summary>
    private int[] SampleRows() => ShardIngest.SampleRows(_manifest.Images, _job.UmapSampleRows, Rng.Derive(_options.Seed, RandomStreams.Sample, SampleStream));

    /// <summary>Sub-stream of <see cref="RandomStreams.Sample"/> for the coordinator's sample (the forest's binning uses the bare stream).</summary>
    private const ulong SampleStream = 1;

    private string FeaturesRef(ShardInfo shard) => _options.Features == FeatureMethod.Pixels ? shard.ImagesRef : $"{_dir}/features/{shard.Index:D5}.npy";

    private string EmbeddingRef(ShardInfo shard) => _options.Reduce == ReductionMethod.None ? FeaturesRef(shard) : $"{_dir}/embedding/{shard.Index:D5}.npy";

    private string LabelsRef(ShardInfo shard) => $"{_dir}/labels/{shard.Index:D5}.npy";

    /// <summary>One request per shard to <paramref name="queue"/>, with progress in the checkpoint.</summary>
    private async Task<ShardCompleted[]> ForEachShard<TRequest>(string queue, string what, string detail, Func<ShardInfo, TRequest> request, CancellationToken cancellationToken)
        where TRequest : class
    {
        var done = 0;
        Progress(0, _manifest.Shards.Count, detail);
        return await _dispatcher.Run<TRequest, ShardCompleted>(queue, [.. _manifest.Shards.Select(request)], what, _silo.ShardTimeout, (answer, seconds) =>
        {
            Count(answer.Seconds, seconds);
            Progress(Interlocked.Increment(ref done), _manifest.Shards.Count, detail);
        }, cancellationToken).ConfigureAwait(false);
    }

    private void Count(double grainSeconds, double requestSeconds)
    {
        lock (_gate)
        {
            _state.Messages++;
            _state.GrainSeconds += grainSeconds;
            _state.RequestSeconds += requestSeconds;
        }
    }

    private void Progress(int done, int total, string detail)
    {
        lock (_gate)
        {
            _state.Done = done;
            _state.Total = total;
            _state.Detail = detail;
            Checkpoint();
        }
        _observer?.StageProgress(_stage ?? _state.Phase, done, total, detail);
    }

    private void Advance(string phase)
    {
        lock (_gate)
        {
            _state.Phase = phase;
            _state.Done = 0;
            _state.Total = 0;
            _state.Detail = "";
            Checkpoint();
        }
    }

    /// <summary>
    /// Writes the checkpoint; callers hold the gate. A runner whose lease was taken over writes
    /// nothing more (the lease generation fences it) and is cancelled by its renewal loop.
    /// </summary>
    private void Checkpoint()
    {
        if (_holdsLease is null || _holdsLease())
        {
            _jobs.Save(_job.JobId, _state);
        }
    }

    private async Task Timed(string stage, Func<Task> work)
    {
        _stage = stage;
        _observer?.StageStarted(stage);
        var clock = Stopwatch.StartNew();
        await work().ConfigureAwait(false);
        lock (_gate)
        {
            _state.TimingsS[stage] = _state.TimingsS.GetValueOrDefault(stage) + clock.Elapsed.TotalSeconds;
        }
        _observer?.StageCompleted(stage, clock.Elapsed);
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} completed after {Messages} grain requests")]
    private static partial void LogCompleted(ILogger logger, Guid jobId, long messages);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} interrupted in phase {Phase}; it resumes from its checkpoint when a coordinator starts")]
    private static partial void LogInterrupted(ILogger logger, Guid jobId, string phase);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} failed in phase {Phase}: {Reason}")]
    private static partial void LogFailed(ILogger logger, Exception exception, Guid jobId, string phase, string reason);
}
