namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>
/// A small batch of images to label. The pixels travel inline (unlike shard work): a request holds
/// a few images, far under Orleans' message size limit.
/// </summary>
/// <param name="Count">Number of images.</param>
/// <param name="Pixels">Count × 784 values, row-major, in [0, 1].</param>
[GenerateSerializer, Immutable]
public sealed record PredictImages(int Count, float[] Pixels);
