using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Train the job's feature extractor on a seeded sample of its shards.</summary>
/// <param name="JobId">The job.</param>
/// <param name="ShardsRef">Store reference of the shard manifest.</param>
/// <param name="Options">The pipeline options (features, autoencoder settings, seed).</param>
/// <param name="SampleRows">Size of the seeded training sample.</param>
/// <param name="OutputRef">Where the fitted model goes.</param>
[GenerateSerializer, Immutable]
public sealed record TrainExtractor(Guid JobId, string ShardsRef, PipelineOptions Options, int SampleRows, string OutputRef);
