using System.Diagnostics;
using Distributed.Grains.Storage;
using Distributed.Ml.Data;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Distributed.Grains.Serving;

/// <summary>
/// Holds the model being served and answers predictions with it. Thread-safe: a prediction takes a
/// snapshot of the current model and finishes with it, so <see cref="Swap(string)"/> replaces the
/// model atomically without failing or mixing in-flight requests.
/// </summary>
public sealed partial class Predictor
{
    /// <summary>
    /// Images predicted between two checks of the cancellation token. Big enough that the check costs
    /// nothing against the work, small enough that a timed-out batch stops within milliseconds.
    /// </summary>
    internal const int ChunkRows = 256;

    /// <summary>
    /// Batches up to this size are predicted on the calling thread. The model's own batch path spreads
    /// rows over the thread pool (Parallel.For), which for one image costs more in wake-ups and
    /// spinning than the prediction itself; a server already has a request per thread to keep busy.
    /// </summary>
    internal const int SequentialRows = 16;

    /// <summary>Most rows a worker of the batcher predicts in one call.</summary>
    internal const int BatchRows = 64;

    private readonly ILogger<Predictor> _logger;
    private readonly Lock _swapGate = new();
    private readonly SemaphoreSlim _reloadGate = new(1, 1);
    // Half the cores predict; the rest read requests and write answers (with every core predicting,
    // the request threads queued behind the batch workers and the tail latency grew).
    private readonly PredictionBatcher _batcher = new(Math.Max(1, Environment.ProcessorCount / 2), BatchRows);
    private volatile LoadedModel? _current;
    private volatile bool _firstLoadSettled;

    /// <summary>Creates a predictor with no model yet.</summary>
    public Predictor(ILogger<Predictor>? logger = null) => _logger = logger ?? NullLogger<Predictor>.Instance;

    /// <summary>The model being served, or null before the first load.</summary>
    public LoadedModel? Current => _current;

    /// <summary>
    /// True once the host's first attempt to get a model has finished, whether it loaded one or not
    /// (a bad bundle, or a cluster that has published none yet): the startup probe waits for this,
    /// the readiness probe for <see cref="Current"/>.
    /// </summary>
    public bool FirstLoadSettled => _firstLoadSettled;

    /// <summary>Raised after a new model has been swapped in.</summary>
    public event Action<LoadedModel>? ModelChanged;

    /// <summary>Records that the first attempt to get a model has finished (see <see cref="FirstLoadSettled"/>).</summary>
    public void SettleFirstLoad() => _firstLoadSettled = true;

    /// <summary>Loads the bundle at <paramref name="path"/> and serves it from now on; the old model keeps serving while it loads.</summary>
    /// <exception cref="ModelBundleException">The bundle is unusable; the current model stays in place.</exception>
    public LoadedModel Swap(string path)
    {
        var clock = Stopwatch.StartNew();
        LoadedModel loaded;
        try
        {
            loaded = LoadedModel.Load(path);
        }
        catch (ModelBundleException e)
        {
            LogLoadFailed(_logger, path, e.Message);
            throw;
        }
        Swap(loaded);
        LogLoaded(_logger, loaded.Version, loaded.Path, clock.Elapsed.TotalMilliseconds);
        return loaded;
    }

    /// <summary>Serves <paramref name="model"/> from now on.</summary>
    public void Swap(LoadedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        lock (_swapGate)
        {
            // The lock orders concurrent swaps and their notifications; readers never take it.
            var previous = _current;
            _current = model;
            if (previous is not null && previous != model)
            {
                // Requests still predicting with it hold it in memory; its files are no longer needed.
                previous.ReleaseLease();
            }
            // A model served settles the first load, whoever loaded it.
            _firstLoadSettled = true;
            ModelChanged?.Invoke(model);
        }
    }

    /// <summary>
    /// Loads the model the current model's path names now (a run directory's current version after a
    /// new run or <c>name</c>) and serves it. The same published version again is kept without
    /// reading it (versions never change); a plain bundle directory is read and verified again.
    /// One reload runs at a time.
    /// </summary>
    /// <returns>The model served afterwards, or null when another reload is running.</returns>
    /// <exception cref="InvalidOperationException">No model is loaded.</exception>
    /// <exception cref="ModelBundleException">The bundle is unusable now; the current model stays in place.</exception>
    public LoadedModel? TryReload()
    {
        var current = _current ?? throw new InvalidOperationException("No model is loaded.");
        if (!_reloadGate.Wait(0))
        {
            return null;
        }
        try
        {
            if (current.IsPublishedVersion && ModelBundle.Resolve(current.Source) == current.Path)
            {
                return current;
            }
            return Swap(current.Source);
        }
        finally
        {
            _reloadGate.Release();
        }
    }

    /// <summary>Predicts <paramref name="images"/> (n × 784, in [0, 1]) with the current model.</summary>
    /// <exception cref="InvalidOperationException">No model is loaded.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired between two chunks.</exception>
    public (LoadedModel Model, PipelinePrediction Prediction) Predict(Matrix images, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        var model = _current ?? throw new InvalidOperationException("No model is loaded.");
        cancellationToken.ThrowIfCancellationRequested();
        if (images.Rows <= SequentialRows)
        {
            return (model, PredictSequentially(model.Model, images));
        }
        if (images.Rows <= ChunkRows)
        {
            return (model, model.Model.Predict(images));
        }
        var clusters = new int[images.Rows];
        Matrix? probabilities = null;
        bool[]? novelty = null;
        int[] clusterIds = [];
        for (var start = 0; start < images.Rows; start += ChunkRows)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var count = Math.Min(ChunkRows, images.Rows - start);
            var chunk = new Matrix(count, ImageShape.Pixels, images.RowBlock(start, count).ToArray());
            var part = model.Model.Predict(chunk);
            clusterIds = part.ClusterIds;
            probabilities ??= new Matrix(images.Rows, part.Probabilities.Cols);
            part.Clusters.CopyTo(clusters, start);
            part.Probabilities.Data.CopyTo(probabilities.RowBlock(start, count));
            if (part.Novelty is not null)
            {
                novelty ??= new bool[images.Rows];
                part.Novelty.CopyTo(novelty, start);
            }
        }
        return (model, new PipelinePrediction(clusters, probabilities!, clusterIds, novelty));
    }

    /// <summary>
    /// Predicts like <see cref="Predict"/>, but up to <see cref="SequentialRows"/> images are queued
    /// and predicted together with the other small requests in flight (see
    /// <see cref="PredictionBatcher"/>); the answer is the same as alone.
    /// </summary>
    /// <exception cref="InvalidOperationException">No model is loaded.</exception>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> fired first.</exception>
    public async Task<(LoadedModel Model, PipelinePrediction Prediction)> PredictAsync(Matrix images, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        var model = _current ?? throw new InvalidOperationException("No model is loaded.");
        if (images.Rows > SequentialRows)
        {
            return Predict(images, cancellationToken);
        }
        cancellationToken.ThrowIfCancellationRequested();
        return (model, await _batcher.PredictAsync(model.Model, images, cancellationToken).ConfigureAwait(false));
    }

    /// <summary>
    /// What <see cref="PipelineModel.Predict"/> computes, row by row on this thread, from the model's
    /// public stages: the representations its stages read, forest probabilities, arg-max, novelty.
    /// Tests hold the two equal.
    /// </summary>
    internal static PipelinePrediction PredictSequentially(PipelineModel model, Matrix images)
    {
        var inputs = model.Prepare(images);
        var rows = model.ClassifierRows(inputs);
        var classifier = model.Classifier;
        var probabilities = new Matrix(images.Rows, classifier.Classes.Length);
        for (var i = 0; i < images.Rows; i++)
        {
            classifier.PredictProba(rows.Row(i), probabilities.Row(i));
        }
        return new PipelinePrediction(classifier.ArgMax(probabilities), probabilities, classifier.Classes, model.IsNovel(inputs));
    }

    [LoggerMessage(Level = LogLevel.Information, Message = "Serving model {ModelVersion} from {ModelPath} (loaded in {ElapsedMs:0} ms)")]
    private static partial void LogLoaded(ILogger logger, string modelVersion, string modelPath, double elapsedMs);

    [LoggerMessage(Level = LogLevel.Error, Message = "Cannot load model bundle {ModelPath}: {Problem}")]
    private static partial void LogLoadFailed(ILogger logger, string modelPath, string problem);
}
