namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Place one shard's features in the fitted reducer's embedding.</summary>
/// <param name="FeaturesRef">Store reference of the shard's features.</param>
/// <param name="ModelRef">Store reference of the fitted reducer.</param>
/// <param name="OutputRef">Where the embedding (float32 .npy) goes.</param>
[GenerateSerializer, Immutable]
public sealed record EmbedShard(string FeaturesRef, string ModelRef, string OutputRef);
