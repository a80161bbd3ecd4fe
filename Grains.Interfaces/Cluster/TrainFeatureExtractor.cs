namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>
/// Asks a feature-extraction grain to train the feature extractor on a seeded sample of the
/// job's shards and write it to <paramref name="OutputRef"/>. Answered by <see cref="FeatureExtractorTrained"/>.
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="ShardsRef">Store reference of the shard manifest.</param>
/// <param name="OptionsJson">The pipeline options (JSON).</param>
/// <param name="SampleRows">Size of the seeded training sample.</param>
/// <param name="OutputRef">Where the fitted model goes.</param>
public sealed record TrainFeatureExtractor(Guid JobId, string ShardsRef, string OptionsJson, int SampleRows, string OutputRef);
