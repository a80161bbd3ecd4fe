using System.Text.Json.Serialization;

namespace Distributed.Grains.Interfaces.Serving;

/// <summary>Answer of <c>POST /v1/predict</c>: one entry per image, in request order.</summary>
/// <param name="ModelVersion">Version of the model bundle that made every prediction of this response.</param>
/// <param name="Clusters">Most probable cluster id of each image.</param>
/// <param name="Probabilities">Per image, the probability of each cluster; column <c>j</c> belongs to <paramref name="ClusterIds"/>[j].</param>
/// <param name="ClusterIds">Cluster id of each probability column.</param>
/// <param name="Novelty">Per image, whether it lies outside every cluster's training radius; null when the model has no novelty stage.</param>
public sealed record PredictResponse(
    [property: JsonPropertyName("model_version")] string ModelVersion,
    [property: JsonPropertyName("clusters")] int[] Clusters,
    [property: JsonPropertyName("probabilities")] float[][] Probabilities,
    [property: JsonPropertyName("cluster_ids")] int[] ClusterIds,
    [property: JsonPropertyName("novelty")] bool[]? Novelty);
