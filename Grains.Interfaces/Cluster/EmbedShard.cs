namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Asks a worker to place one shard's features in the fitted UMAP embedding. Answered by <see cref="ShardCompleted"/>.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Shard">Shard index.</param>
/// <param name="FeaturesRef">Store reference of the shard's features.</param>
/// <param name="ModelRef">Store reference of the fitted UMAP model.</param>
/// <param name="OutputRef">Where the embedding (float32 .npy) goes.</param>
public sealed record EmbedShard(Guid JobId, int Shard, string FeaturesRef, string ModelRef, string OutputRef);
