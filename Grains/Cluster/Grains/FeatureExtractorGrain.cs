using System.Diagnostics;
using System.Text.Json;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Storage;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;
using MassTransit;
using Microsoft.Extensions.Logging;

namespace Distributed.Grains.Cluster.Grains;

/// <summary>
/// Feature-extraction grain (gpu role): trains the extractor on a seeded sample of the job's
/// shards, and encodes shard by shard. The sample is drawn from (seed, <see cref="RandomStreams.Features"/>),
/// so every silo trains the same model.
/// </summary>
public sealed class FeatureExtractorGrain(GrainContext grain, IFeatureBackend backend, ILogger<FeatureExtractorGrain> logger)
    : IConsumer<TrainFeatureExtractor>, IConsumer<ExtractFeatures>
{
    /// <summary>Sub-stream of <see cref="RandomStreams.Features"/> for the training sample (0–2 belong to the autoencoder).</summary>
    private const ulong SampleStream = 3;

    /// <inheritdoc/>
    public async Task Consume(ConsumeContext<TrainFeatureExtractor> context)
    {
        var request = context.Message;
        var clock = Stopwatch.StartNew();
        var options = JsonSerializer.Deserialize<PipelineOptions>(request.OptionsJson, Json.Options)!;
        var manifest = ShardIngest.ReadManifest(grain.Store, request.ShardsRef);
        var loss = Array.Empty<double>();
        var modelRef = request.OutputRef;
        if (!grain.Store.Exists(modelRef))
        {
            var rows = ShardIngest.SampleRows(manifest.Images, request.SampleRows, Rng.Derive(options.Seed, RandomStreams.Features, SampleStream));
            var sample = ShardIngest.Gather(grain.Store, manifest, s => s.ImagesRef, rows);
            logger.LogInformation("Job {JobId}: training the {Features} extractor on {Rows} sampled images ({Backend})",
                request.JobId, CliNames.Of(options.Features), sample.Rows, backend.Name);
            var model = backend.Train(sample, options);
            grain.Store.Write(modelRef, model.Save);
        }
        if (grain.ReadTransform(modelRef) is Ml.Features.AutoencoderModel autoencoder)
        {
            loss = autoencoder.TrainingLoss;
        }
        await context.RespondAsync(new FeatureExtractorTrained(request.JobId, modelRef, loss, backend.Name, clock.Elapsed.TotalSeconds)).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task Consume(ConsumeContext<ExtractFeatures> context)
    {
        var request = context.Message;
        return grain.Complete(context, request.JobId, request.Shard, request.OutputRef, () =>
        {
            var model = grain.ReadTransform(request.ModelRef);
            var images = grain.Store.ReadMatrix(request.ImagesRef);
            grain.Store.WriteMatrix(request.OutputRef, backend.Encode(model, images));
        });
    }
}
