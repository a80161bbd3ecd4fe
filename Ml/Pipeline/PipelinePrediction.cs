using Distributed.Ml.Numerics;

namespace Distributed.Ml.Pipeline;

/// <summary>Predictions for a batch of images.</summary>
/// <param name="Clusters">Most probable cluster of each image.</param>
/// <param name="Probabilities">Probability of each cluster, rows × <paramref name="ClusterIds"/>.Length.</param>
/// <param name="ClusterIds">Cluster id of each probability column.</param>
/// <param name="Novelty">Whether each image lies outside every cluster's training radius; null when the model has no novelty stage.</param>
public sealed record PipelinePrediction(int[] Clusters, Matrix Probabilities, int[] ClusterIds, bool[]? Novelty);
