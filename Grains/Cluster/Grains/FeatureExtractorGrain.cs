using System.Diagnostics;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Placement;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Monitoring;
using Distributed.Ml.Features;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;
using Distributed.Ml.Refinement;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;
using Orleans.Placement;

namespace Distributed.Grains.Cluster.Grains;

/// <summary>
/// Feature extraction on <c>gpu</c> silos: trains the extractor on a seeded sample of the job's
/// shards in the background (minutes: longer than a grain call may take), and encodes shards. The
/// sample is drawn from (seed, <see cref="RandomStreams.Features"/>), so any silo trains the same model.
/// An activation keyed for the self-labelling CNN trains that network the same way.
/// </summary>
[RequireSiloRole(SiloRoles.Gpu)]
[ActivationCountBasedPlacement]
public sealed partial class FeatureExtractorGrain(ShardStore store, IFeatureBackend backend, SiloOptions silo, ClusterMetrics metrics, IHostApplicationLifetime lifetime,
    ILogger<FeatureExtractorGrain> logger)
    : Grain, IFeatureExtractorGrain
{
    /// <summary>Sub-stream of <see cref="RandomStreams.Features"/> for the training sample (0–2 belong to the autoencoder).</summary>
    private const ulong SampleStream = 3;

    private ExtractorTraining? _training;
    private string? _trainsOn;
    private Task? _trainingRun;
    private Stopwatch? _clock;
    private volatile double[] _epochLosses = [];

    /// <summary>
    /// Cancelled when the activation goes (its silo stops or drains): the training stops between two
    /// batches instead of running on for minutes with nobody to take its model, which a new
    /// activation elsewhere trains again from the same seed. It also keeps a stopping process from
    /// waiting at exit for BLAS threads that a training still feeds.
    /// </summary>
    private readonly CancellationTokenSource _deactivating = new();
    private CancellationTokenRegistration? _stopping;

    /// <summary>Cancelled by <see cref="StopTraining"/> or <see cref="_deactivating"/>: the token the running training stops on.</summary>
    private CancellationTokenSource? _trainingStop;

    /// <inheritdoc/>
    public Task<ExtractorTraining> StartTraining(TrainExtractor request)
    {
        ArgumentNullException.ThrowIfNull(request);
        // What a job records as its feature backend: the one that computes this fit here.
        return Start(backend.TrainsOn(request.Options), request.JobId, request.OutputRef, stop => Train(request, stop));
    }

    /// <inheritdoc/>
    /// <remarks>
    /// The CNN trains with the CPU code of this silo whatever its backend: the device kernels cover
    /// dense layers only. It trains here rather than on the coordinator because gpu silos are the
    /// ones sized for network training, and they sit idle once the shards are encoded.
    /// </remarks>
    public Task<ExtractorTraining> StartRefinerTraining(TrainRefiner request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return Start(CpuFeatureBackend.BackendName, request.JobId, request.OutputRef, stop => TrainRefiner(request, stop));
    }

    private Task<ExtractorTraining> Start(string trainsOn, Guid jobId, string outputRef, Func<CancellationToken, double[]> train)
    {
        if (_training is null or { State: TrainingState.Failed })
        {
            // The host stopping cancels too: under load its stop can time out before this activation is deactivated.
            _stopping ??= lifetime.ApplicationStopping.Register(_deactivating.Cancel);
            _clock = Stopwatch.StartNew();
            _trainsOn = trainsOn;
            _epochLosses = [];
            _training = Progress(TrainingState.Running);
            _trainingStop?.Dispose();
            _trainingStop = CancellationTokenSource.CreateLinkedTokenSource(_deactivating.Token);
            var stop = _trainingStop.Token;
            _trainingRun = TrainAsync(jobId, outputRef, () => train(stop), stop);
        }
        return Task.FromResult(Training());
    }

    /// <inheritdoc/>
    public async Task<ExtractorTraining> WaitForTraining(TimeSpan longest)
    {
        if (_trainingRun is { } run)
        {
            await LongPoll.UntilEndedAsync(run, longest, IFeatureExtractorGrain.LongestWait).ConfigureAwait(true);
        }
        return Training();
    }

    private ExtractorTraining Training() => _training switch
    {
        null => Progress(TrainingState.Idle),
        { State: TrainingState.Running } running => running with { Seconds = _clock!.Elapsed.TotalSeconds, TrainingLoss = _epochLosses },
        var finished => finished,
    };

    /// <inheritdoc/>
    public Task StopTraining()
    {
        if (_training is { State: TrainingState.Running })
        {
            _trainingStop!.Cancel();
        }
        return Task.CompletedTask;
    }

    /// <inheritdoc/>
    public Task<ShardCompleted> EncodeShard(EncodeShard request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ShardWork.RunAsync(store, silo, metrics, SiloRoles.Gpu, ShardOperation.Encode, request.OutputRef, () =>
        {
            var model = store.ReadTransform(request.ModelRef);
            // Block by block: an extractor encodes each row alone (PCA's projection, the network's
            // inference rows), so the features are the same bits as the whole shard's at once.
            Matrix? features = null;
            store.ReadMatrixBlocks(request.ImagesRef, backend.EncodeBlockRows, (block, first, rows) =>
            {
                var encoded = backend.Encode(model, block);
                features ??= new Matrix(rows, encoded.Cols);
                encoded.Data.CopyTo(features.RowBlock(first, block.Rows));
            });
            store.WriteMatrix(request.OutputRef, features!);
        });
    }

    /// <inheritdoc/>
    public override Task OnDeactivateAsync(DeactivationReason reason, CancellationToken cancellationToken)
    {
        _deactivating.Cancel();
        _stopping?.Dispose();
        return Task.CompletedTask;
    }

    /// <summary>Trains off the grain's scheduler; only the final state change runs on it.</summary>
    private async Task TrainAsync(Guid jobId, string outputRef, Func<double[]> train, CancellationToken stop)
    {
        try
        {
            var loss = await Task.Run(train).ConfigureAwait(true);
            _training = Progress(TrainingState.Done) with { ModelRef = outputRef, TrainingLoss = loss };
        }
        catch (OperationCanceledException) when (_deactivating.IsCancellationRequested)
        {
            LogTrainingStopped(logger, jobId);
            _training = Progress(TrainingState.Failed) with { Error = "stopped: the activation was deactivated (its silo is stopping)" };
        }
        catch (OperationCanceledException) when (stop.IsCancellationRequested)
        {
            LogTrainingCancelled(logger, jobId);
            _training = Progress(TrainingState.Failed) with { Error = "stopped: its job was cancelled" };
        }
        catch (Exception e)
        {
            LogTrainingFailed(logger, e, jobId, e.Message);
            _training = Progress(TrainingState.Failed) with { Error = e.Message };
        }
    }

    private double[] Train(TrainExtractor request, CancellationToken stop)
    {
        var options = request.Options;
        if (!store.Exists(request.OutputRef))
        {
            var manifest = ShardIngest.ReadManifest(store, request.ShardsRef);
            var rows = Rng.Derive(options.Seed, RandomStreams.Features, SampleStream).SampleUpTo(manifest.Images, request.SampleRows);
            var sample = new ShardRows(store, manifest, s => s.ImagesRef, rows);
            LogTraining(logger, request.JobId, ChoiceNames.Of(options.Features), sample.Rows, _trainsOn!);
            if (_trainsOn != backend.Name)
            {
                LogHandedToCpu(logger, request.JobId, backend.Name, Describe(options), _trainsOn!);
            }
            var model = backend.Train(sample, options, stop);
            store.Write(request.OutputRef, model.Save);
        }
        return store.ReadTransform(request.OutputRef) is AutoencoderModel autoencoder ? autoencoder.TrainingLoss : [];
    }

    /// <summary>Trains one round's CNN on the chosen rows' images, gathered from the shards in row order.</summary>
    private double[] TrainRefiner(TrainRefiner request, CancellationToken stop)
    {
        if (!store.Exists(request.OutputRef))
        {
            var manifest = ShardIngest.ReadManifest(store, request.ShardsRef);
            var rows = store.ReadLabels(request.RowsRef);
            var labels = store.ReadLabels(request.LabelsRef);
            var images = ShardIngest.Gather(store, manifest, s => s.ImagesRef, rows);
            LogTrainingRefiner(logger, request.JobId, request.Round + 1, rows.Length, _trainsOn!);
            if (_trainsOn != backend.Name)
            {
                LogHandedToCpu(logger, request.JobId, backend.Name, "the self-labelling CNN", _trainsOn!);
            }
            var options = SelfLabelling.RoundOptions(ClusteringPipeline.SelfLabellingOptions(request.Options), request.Round);
            // The epochs end on the training thread; a new array each time, so a reader sees a whole one.
            var model = CnnClassifier.Fit(images, Enumerable.Range(0, rows.Length).ToArray(), labels, request.Classes, options,
                epoch => _epochLosses = [.. _epochLosses, epoch.Loss], stop);
            store.Write(request.OutputRef, model.Save);
        }
        return store.Read(request.OutputRef, CnnClassifierModel.Load).TrainingLoss;
    }

    private ExtractorTraining Progress(TrainingState state) =>
        new(state, null, [], null, _trainsOn ?? backend.Name, silo.SiloId, _clock?.Elapsed.TotalSeconds ?? 0);

    private static string Describe(PipelineOptions options) => options.Features == FeatureMethod.Autoencoder
        ? $"the {options.Autoencoder.Architecture.ToString().ToLowerInvariant()} autoencoder with {options.Autoencoder.Loss}"
        : ChoiceNames.Of(options.Features);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: training the {Features} extractor on {Rows} sampled images ({Backend})")]
    private static partial void LogTraining(ILogger logger, Guid jobId, string features, int rows, string backend);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: training the self-labelling CNN, round {Round}, on {Rows} images ({Backend})")]
    private static partial void LogTrainingRefiner(ILogger logger, Guid jobId, int round, int rows, string backend);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: the {Backend} backend does not train {What}; the {TrainsOn} code on this silo does")]
    private static partial void LogHandedToCpu(ILogger logger, Guid jobId, string backend, string what, string trainsOn);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: training stopped: this activation is going away; another one trains again from the same seed")]
    private static partial void LogTrainingStopped(ILogger logger, Guid jobId);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: training stopped: the job was cancelled")]
    private static partial void LogTrainingCancelled(ILogger logger, Guid jobId);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId}: training failed: {Reason}")]
    private static partial void LogTrainingFailed(ILogger logger, Exception exception, Guid jobId, string reason);
}
