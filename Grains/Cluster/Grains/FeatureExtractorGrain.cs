using System.Diagnostics;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Placement;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Monitoring;
using Distributed.Ml.Features;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;
using Microsoft.Extensions.Logging;
using Orleans.Placement;

namespace Distributed.Grains.Cluster.Grains;

/// <summary>
/// Feature extraction on <c>gpu</c> silos: trains the extractor on a seeded sample of the job's
/// shards in the background (minutes: longer than a grain call may take), and encodes shards. The
/// sample is drawn from (seed, <see cref="RandomStreams.Features"/>), so any silo trains the same model.
/// </summary>
[RequireSiloRole(SiloRoles.Gpu)]
[ActivationCountBasedPlacement]
public sealed partial class FeatureExtractorGrain(ShardStore store, IFeatureBackend backend, SiloOptions silo, ClusterMetrics metrics, ILogger<FeatureExtractorGrain> logger)
    : Grain, IFeatureExtractorGrain
{
    /// <summary>Sub-stream of <see cref="RandomStreams.Features"/> for the training sample (0–2 belong to the autoencoder).</summary>
    private const ulong SampleStream = 3;

    private ExtractorTraining? _training;
    private string? _trainsOn;
    private Task? _trainingRun;
    private Stopwatch? _clock;

    /// <inheritdoc/>
    public Task<ExtractorTraining> StartTraining(TrainExtractor request)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (_training is null or { State: TrainingState.Failed })
        {
            _clock = Stopwatch.StartNew();
            // What a job records as its feature backend: the one that computes this fit here.
            _trainsOn = backend.TrainsOn(request.Options);
            _training = Progress(TrainingState.Running);
            _trainingRun = TrainAsync(request);
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
        { State: TrainingState.Running } running => running with { Seconds = _clock!.Elapsed.TotalSeconds },
        var finished => finished,
    };

    /// <inheritdoc/>
    public Task<ShardCompleted> EncodeShard(EncodeShard request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ShardWork.RunAsync(store, silo, metrics, SiloRoles.Gpu, ShardOperation.Encode, request.OutputRef, () =>
        {
            var model = store.ReadTransform(request.ModelRef);
            store.WriteMatrix(request.OutputRef, backend.Encode(model, store.ReadMatrix(request.ImagesRef)));
        });
    }

    /// <summary>Trains off the grain's scheduler; only the final state change runs on it.</summary>
    private async Task TrainAsync(TrainExtractor request)
    {
        try
        {
            var loss = await Task.Run(() => Train(request)).ConfigureAwait(true);
            _training = Progress(TrainingState.Done) with { ModelRef = request.OutputRef, TrainingLoss = loss };
        }
        catch (Exception e)
        {
            LogTrainingFailed(logger, e, request.JobId, e.Message);
            _training = Progress(TrainingState.Failed) with { Error = e.Message };
        }
    }

    private double[] Train(TrainExtractor request)
    {
        var options = request.Options;
        if (!store.Exists(request.OutputRef))
        {
            var manifest = ShardIngest.ReadManifest(store, request.ShardsRef);
            var rows = ShardIngest.SampleRows(manifest.Images, request.SampleRows, Rng.Derive(options.Seed, RandomStreams.Features, SampleStream));
            var sample = ShardIngest.Gather(store, manifest, s => s.ImagesRef, rows);
            LogTraining(logger, request.JobId, CliNames.Of(options.Features), sample.Rows, _trainsOn!);
            if (_trainsOn != backend.Name)
            {
                LogHandedToCpu(logger, request.JobId, backend.Name, Describe(options), _trainsOn!);
            }
            var model = backend.Train(sample, options);
            store.Write(request.OutputRef, model.Save);
        }
        return store.ReadTransform(request.OutputRef) is AutoencoderModel autoencoder ? autoencoder.TrainingLoss : [];
    }

    private ExtractorTraining Progress(TrainingState state) =>
        new(state, null, [], null, _trainsOn ?? backend.Name, silo.SiloId, _clock?.Elapsed.TotalSeconds ?? 0);

    private static string Describe(PipelineOptions options) => options.Features == FeatureMethod.Autoencoder
        ? $"the {options.Autoencoder.Architecture.ToString().ToLowerInvariant()} autoencoder with {options.Autoencoder.Loss}"
        : CliNames.Of(options.Features);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: training the {Features} extractor on {Rows} sampled images ({Backend})")]
    private static partial void LogTraining(ILogger logger, Guid jobId, string features, int rows, string backend);

    [LoggerMessage(Level = LogLevel.Information, Message = "Job {JobId}: the {Backend} backend does not train {What}; the {TrainsOn} code on this silo does")]
    private static partial void LogHandedToCpu(ILogger logger, Guid jobId, string backend, string what, string trainsOn);

    [LoggerMessage(Level = LogLevel.Error, Message = "Job {JobId}: training the feature extractor failed: {Reason}")]
    private static partial void LogTrainingFailed(ILogger logger, Exception exception, Guid jobId, string reason);
}
