namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Asks a feature-extraction grain to encode one shard of images. Answered by <see cref="ShardCompleted"/>.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Shard">Shard index.</param>
/// <param name="ImagesRef">Store reference of the shard's images (float32 .npy, n×784).</param>
/// <param name="ModelRef">Store reference of the fitted extractor.</param>
/// <param name="OutputRef">Where the features (float32 .npy) go.</param>
public sealed record ExtractFeatures(Guid JobId, int Shard, string ImagesRef, string ModelRef, string OutputRef);
