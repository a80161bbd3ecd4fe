namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>
/// Asks a predictor grain to label a small batch of images. Answered by <see cref="ImagesPredicted"/>.
/// The pixels travel inline (unlike shard work): a request is meant to hold a few images, far under
/// the broker's message size limit.
/// </summary>
/// <param name="Count">Number of images.</param>
/// <param name="Pixels">Count × 784 values, row-major, in [0, 1].</param>
public sealed record PredictImages(int Count, float[] Pixels);
