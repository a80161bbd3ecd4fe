namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Encode one shard of images with the fitted extractor.</summary>
/// <param name="ImagesRef">Store reference of the shard's images (float32 .npy, n×784).</param>
/// <param name="ModelRef">Store reference of the fitted extractor.</param>
/// <param name="OutputRef">Where the features (float32 .npy) go.</param>
[GenerateSerializer, Immutable]
public sealed record EncodeShard(string ImagesRef, string ModelRef, string OutputRef);
