namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Relabel one shard's images with the self-labelling CNN.</summary>
/// <param name="ImagesRef">Store reference of the shard's images.</param>
/// <param name="ModelRef">Store reference of the trained CNN.</param>
/// <param name="FeaturesRef">Where the CNN's penultimate features (float32 .npy) go; null when only the labels are needed (a round before the last).</param>
/// <param name="OutputRef">Where the refined labels (int32 .npy) go; written last, so its presence means the shard is done.</param>
[GenerateSerializer, Immutable]
public sealed record RelabelShard(string ImagesRef, string ModelRef, string? FeaturesRef, string OutputRef);
