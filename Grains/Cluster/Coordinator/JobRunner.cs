using System.Diagnostics;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Monitoring;
using Distributed.Ml.Embedding;
using Distributed.Ml.Features;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;
using Distributed.Ml.Refinement;
using Microsoft.Extensions.Logging;

namespace Distributed.Grains.Cluster.Coordinator;

/// <summary>
/// Runs one job as a state machine over its <see cref="JobCheckpoint"/>: features → reduce →
/// cluster → assign → classifier, saving the checkpoint after every phase and clustering iteration
/// so a coordinator that takes the job over resumes where the last checkpoint left off. Runs on
/// the job grain's scheduler: heavy work goes to the thread pool and only the state changes run here.
/// That includes every library call with a parallel loop inside: its workers go to
/// <see cref="TaskScheduler.Current"/>, which here is the grain's and runs one task at a time.
/// </summary>
/// <remarks>
/// Every shard's answer is a pure function of (shard, model, seed) and reductions are merged in
/// shard order, so the result is the same with any number of silos and any interleaving. It is
/// not bit-identical to the in-process <c>LabellingJob</c>: k-means++ seeds on the coordinator's
/// sample (see <see cref="Ml.Clustering.ShardedClustering"/>), sums are grouped by shard, and above
/// <see cref="LabellingJobSpec.UmapSampleRows"/> rows UMAP is fitted on a sample and every row transformed.
/// </remarks>
public sealed partial class JobRunner
{
    private readonly Guid _jobId;
    private readonly LabellingJobSpec _spec;
    private readonly PipelineOptions _options;
    private readonly JobCheckpoint _state;
    private readonly IGrainFactory _grains;
    private readonly ShardStore _store;
    private readonly SiloOptions _silo;
    private readonly Func<bool> _aloneInCluster;
    private readonly Func<Task> _save;
    private readonly ILogger _logger;
    private readonly IPipelineObserver? _observer;
    private readonly ClusterMetrics _metrics;
    private readonly ShardManifest _manifest;
    private readonly string _dir;
    private string? _stage;

    /// <summary>Prepares to run (or resume) the job from its checkpoint.</summary>
    /// <param name="jobId">The job.</param>
    /// <param name="state">The checkpoint, with its specification; advanced in place.</param>
    /// <param name="grains">Reaches the worker grains.</param>
    /// <param name="store">The shared store.</param>
    /// <param name="silo">This silo's settings.</param>
    /// <param name="aloneInCluster">Whether this silo is the only active one, so every shard lives here and clustering iterations run locally.</param>
    /// <param name="save">Persists the checkpoint.</param>
    /// <param name="logger">Logs the job's course.</param>
    /// <param name="observer">Sees stage progress (the silo's metrics).</param>
    /// <param name="metrics">The silo's cluster metrics: the job's phase and progress, shard work pending.</param>
    public JobRunner(Guid jobId, JobCheckpoint state, IGrainFactory grains, ShardStore store, SiloOptions silo, Func<bool> aloneInCluster, Func<Task> save,
        ILogger logger, IPipelineObserver? observer, ClusterMetrics metrics)
    {
        ArgumentNullException.ThrowIfNull(state);
        _jobId = jobId;
        _state = state;
        _spec = state.Spec ?? throw new JobFailedException("the job has no specification");
        _options = _spec.Options;
        _grains = grains;
        _store = store;
        _silo = silo;
        _aloneInCluster = aloneInCluster;
        _save = save;
        _logger = logger;
        _observer = observer;
        _metrics = metrics;
        _manifest = ShardIngest.ReadManifest(store, _spec.ShardsRef);
        _dir = ShardStore.JobRef(jobId);
    }

    /// <summary>Runs the remaining phases; a failure ends the job with its reason, a cancellation leaves it to be resumed or cancelled by the caller.</summary>
    public async Task RunAsync(CancellationToken cancellationToken)
    {
        _metrics.JobPhase(_jobId, _state.Phase);
        try
        {
            _options.Validate();
            ClusteringPipeline.CheckImageCount(_manifest.Images, _options);
            if (_state.Phase == JobPhase.Features)
            {
                await Resilient(() => Timed(ClusteringPipeline.FeaturesStage, () => FeaturesAsync(cancellationToken)), cancellationToken).ConfigureAwait(true);
                await Advance(JobPhase.Reduce).ConfigureAwait(true);
            }
            if (_state.Phase == JobPhase.Reduce)
            {
                await Resilient(() => Timed(ClusteringPipeline.ReduceStage, () => ReduceAsync(cancellationToken)), cancellationToken).ConfigureAwait(true);
                await Advance(JobPhase.Cluster).ConfigureAwait(true);
            }
            if (_state.Phase == JobPhase.Cluster)
            {
                await Resilient(() => Timed(ClusteringPipeline.ClusterStage, () => ClusterAsync(cancellationToken)), cancellationToken).ConfigureAwait(true);
                await Advance(JobPhase.Assign).ConfigureAwait(true);
            }
            if (_state.Phase == JobPhase.Assign)
            {
                await Resilient(() => Timed(ClusteringPipeline.ClusterStage, () => AssignAsync(cancellationToken)), cancellationToken).ConfigureAwait(true);
                await Advance(JobPhase.Classifier).ConfigureAwait(true);
            }
            if (_state.Phase == JobPhase.Classifier)
            {
                _stage = null; // the tail times its own stages; its progress belongs to the phase
                await Resilient(() => FinishAsync(cancellationToken), cancellationToken).ConfigureAwait(true);
                _state.State = JobState.Completed;
                _state.Phase = JobPhase.Done;
                _state.Detail = "outputs written";
                await _save().ConfigureAwait(true);
                LogCompleted(_logger, _jobId, _state.GrainCalls);
                if (!_spec.KeepJobData)
                {
                    RemoveJobData();
                }
            }
        }
        catch (OperationCanceledException) when (cancellationToken.IsCancellationRequested)
        {
            LogInterrupted(_logger, _jobId, _state.Phase);
            throw;
        }
        catch (Exception e)
        {
            // Any other failure (a grain's fault, a corrupt file read here, a bug) ends the job with
            // its reason: a job must fail visibly rather than stay "running" with no runner.
            LogFailed(_logger, e, _jobId, _state.Phase, e.Message);
            _state.State = JobState.Failed;
            _state.Error = $"{_state.Phase.Name()}: {e.Message}";
            await _save().ConfigureAwait(true);
        }
        finally
        {
            _metrics.JobEnded(_jobId);
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
            var kind = _options.Features == FeatureMethod.Pca ? PcaModel.Kind : AutoencoderModel.Kind;
            var request = new TrainExtractor(_jobId, _spec.ShardsRef, _options, _spec.EncoderSampleRows, ModelRefs.Of($"{_dir}/models", "features", kind));
            var trained = await TrainExtractorAsync(request, cancellationToken).ConfigureAwait(true);
            _state.ExtractorRef = trained.ModelRef;
            _state.TrainingLoss = trained.TrainingLoss.Length > 0 ? trained.TrainingLoss : null;
            _state.FeatureBackend = trained.Backend;
            await _save().ConfigureAwait(true);
        }
        var extractor = _state.ExtractorRef!;
        await ForEachShard(SiloRoles.Gpu, "encoding shards", shard => _grains.GetGrain<IFeatureExtractorGrain>(ShardKey(shard))
            .EncodeShard(new EncodeShard(shard.ImagesRef, extractor, FeaturesRef(shard))), cancellationToken).ConfigureAwait(true);
    }

    private Task<ExtractorTraining> TrainExtractorAsync(TrainExtractor request, CancellationToken cancellationToken) =>
        TrainOnGpuSiloAsync(ExtractorTrainingKey, $"training the {ChoiceNames.Of(_options.Features)} extractor", trainer => trainer.StartTraining(request), null, cancellationToken);

    /// <summary>Key suffix of the job's extractor training grain.</summary>
    private const string ExtractorTrainingKey = "training";

    /// <summary>Key suffix of the grain that trains round <paramref name="round"/> of the self-labelling CNN (a grain trains one model once).</summary>
    private static string RefinerTrainingKey(int round) => round == 0 ? "refiner" : $"refiner-{round + 1}";

    /// <summary>
    /// Tells the job's training grains to stop what they train, when the job was cancelled (not when
    /// its coordinator moves: a resumed job takes the running training's model). One-way calls, so
    /// a training silo that is gone holds nothing up.
    /// </summary>
    public static void StopTrainings(IGrainFactory grains, Guid jobId)
    {
        ArgumentNullException.ThrowIfNull(grains);
        foreach (var key in Enumerable.Range(0, SelfLabellingOptions.MaxRounds).Select(RefinerTrainingKey).Prepend(ExtractorTrainingKey))
        {
            _ = grains.GetGrain<IFeatureExtractorGrain>($"{jobId:N}/{key}").StopTraining();
        }
    }

    /// <summary>
    /// Starts a training on a gpu silo (the grain keyed <c>&lt;job&gt;/<paramref name="key"/></c>) and
    /// follows it with calls that return at its end or after the poll interval (training takes
    /// minutes, longer than a call may). A call that finds the training idle reached a new activation
    /// because the training silo died: training starts again there, from the same seed.
    /// </summary>
    private async Task<ExtractorTraining> TrainOnGpuSiloAsync(string key, string detail, Func<IFeatureExtractorGrain, Task<ExtractorTraining>> start,
        Action<ExtractorTraining>? progress, CancellationToken cancellationToken)
    {
        Progress(0, 1, detail);
        var clock = Stopwatch.StartNew();
        var trainer = _grains.GetGrain<IFeatureExtractorGrain>($"{_jobId:N}/{key}");
        var training = await CallAsync(detail, () => start(trainer), _ => 0, cancellationToken).ConfigureAwait(true);
        while (training.State != TrainingState.Done)
        {
            // First: a training that failed because the job was cancelled is a cancelled job, not a failed one.
            cancellationToken.ThrowIfCancellationRequested();
            if (training.State == TrainingState.Failed)
            {
                throw new JobFailedException($"{detail} failed on silo {training.SiloId}: {training.Error}");
            }
            progress?.Invoke(training);
            var restart = training.State == TrainingState.Idle;
            training = await CallAsync(detail, () => restart ? start(trainer) : trainer.WaitForTraining(_silo.TrainingPollInterval), _ => 0,
                cancellationToken, counted: restart).ConfigureAwait(true);
        }
        // The training is one unit of work, however many polls it took.
        _state.GrainSeconds += training.Seconds;
        _state.CallSeconds += clock.Elapsed.TotalSeconds;
        return training;
    }

    private async Task ReduceAsync(CancellationToken cancellationToken)
    {
        if (_options.Reduce == ReductionMethod.None)
        {
            return;
        }
        if (_state.ReducerRef is null)
        {
            Progress(0, 1, $"fitting {ChoiceNames.Of(_options.Reduce)} on a sample of {Math.Min(_spec.UmapSampleRows, _manifest.Images)} rows");
            var sample = ShardIngest.Gather(_store, _manifest, FeaturesRef, SampleRows());
            IFittedTransform reducer = _options.Reduce == ReductionMethod.Umap
                ? await Task.Run(() => Umap.Fit(sample, _options.Umap with { Components = _options.ReducedDimensions, Seed = _options.Seed }), cancellationToken).ConfigureAwait(true)
                : await Task.Run(() => Pca.Fit(sample, new PcaOptions { Components = _options.ReducedDimensions }), cancellationToken).ConfigureAwait(true);
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
            var reference = ModelRefs.Of($"{_dir}/models", "reduce", PipelineModel.KindOf(reducer));
            _store.Write(reference, reducer.Save);
            _state.ReducerRef = reference;
            await _save().ConfigureAwait(true);
        }
        if (KeepsFittedLayout)
        {
            return;
        }
        var reducerRef = _state.ReducerRef!;
        await ForEachShard(SiloRoles.Cpu, "embedding shards", shard => _grains.GetGrain<IShardWorkerGrain>(ShardKey(shard))
            .EmbedShard(new EmbedShard(FeaturesRef(shard), reducerRef, EmbeddingRef(shard))), cancellationToken).ConfigureAwait(true);
    }

    /// <summary>Whether UMAP is fitted on every row, so that its fitted layout is the embedding and no shard is transformed.</summary>
    private bool KeepsFittedLayout => _options.Reduce == ReductionMethod.Umap && _spec.UmapSampleRows >= _manifest.Images;

    /// <summary>The seeded sample of rows the reducer is fitted on and k-means++ seeds from.</summary>
    private int[] SampleRows() => Rng.Derive(_options.Seed, RandomStreams.Sample, SampleStream).SampleUpTo(_manifest.Images, _spec.UmapSampleRows);

    /// <summary>Sub-stream of <see cref="RandomStreams.Sample"/> for the coordinator's sample (the forest's binning uses the bare stream).</summary>
    private const ulong SampleStream = 1;

    private string ShardKey(ShardInfo shard) => $"{_jobId:N}/{shard.Index}";

    private string FeaturesRef(ShardInfo shard) => _options.Features == FeatureMethod.Pixels ? shard.ImagesRef : $"{_dir}/features/{shard.Index:D5}.npy";

    private string EmbeddingRef(ShardInfo shard) => _options.Reduce == ReductionMethod.None ? FeaturesRef(shard) : $"{_dir}/embedding/{shard.Index:D5}.npy";

    private string LabelsRef(ShardInfo shard) => $"{_dir}/labels/{shard.Index:D5}.npy";

    private void Progress(int done, int total, string detail)
    {
        _state.Done = done;
        _state.Total = total;
        _state.Detail = detail;
        _metrics.JobProgress(_jobId, done, total);
        _observer?.StageProgress(_stage ?? _state.Phase.Name(), done, total, detail);
    }

    private Task Advance(JobPhase phase)
    {
        _state.Phase = phase;
        _metrics.JobPhase(_jobId, phase);
        _state.Done = 0;
        _state.Total = 0;
        _state.Detail = "";
        return _save();
    }

    private async Task Timed(string stage, Func<Task> work)
    {
        _stage = stage;
        _observer?.StageStarted(stage);
        var clock = Stopwatch.StartNew();
        await work().ConfigureAwait(true);
        _state.TimingsS[stage] = _state.TimingsS.GetValueOrDefault(stage) + clock.Elapsed.TotalSeconds;
        _observer?.StageCompleted(stage, clock.Elapsed);
    }

    /// <summary>
    /// Removes the completed job's shards and intermediates from the store; its outputs stay, as
    /// the registry's model and the client's copy come from them. A failure costs only space
    /// (<c>store gc</c> removes it later), so it is logged, not raised.
    /// </summary>
    private void RemoveJobData()
    {
        var directory = _store.PathOf(_dir + "/.");
        var outputs = _store.PathOf(_state.OutputsRef!);
        foreach (var entry in Directory.EnumerateFileSystemEntries(directory))
        {
            if (Path.GetFullPath(entry) == outputs)
            {
                continue;
            }
            try
            {
                ShardStore.Remove(entry);
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                LogJobDataKept(_logger, _jobId, entry, e.Message);
            }
        }
    }

    [LoggerMessage(Level = LogLevel.Warning, Message = "Job {JobId}: could not remove {Path} from the store ({Reason}); store gc removes it later")]
    private static partial void LogJobDataKept(ILogger logger, Guid jobId, string path, string reason);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} completed after {Calls} grain calls")]
    private static partial void LogCompleted(ILogger logger, Guid jobId, long calls);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId} interrupted in phase {Phase}; it resumes from its checkpoint")]
    private static partial void LogInterrupted(ILogger logger, Guid jobId, JobPhase phase);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId} failed in phase {Phase}: {Reason}")]
    private static partial void LogFailed(ILogger logger, Exception exception, Guid jobId, JobPhase phase, string reason);
}
