using System.Text.Json.Serialization;
using MessagePack;

namespace Distributed.Grains.Interfaces.Serving;

/// <summary>
/// Answer of <c>POST /v1/predict</c>: one entry per image, in request order. As JSON or as MessagePack
/// (<see cref="PredictorMediaTypes.MessagePack"/>), with the same keys and values: probabilities are
/// float32 in both (shortest round-trip text in JSON, the float 32 type in MessagePack).
/// </summary>
/// <param name="ModelVersion">Version of the model bundle that made every prediction of this response.</param>
/// <param name="Clusters">Most probable cluster id of each image.</param>
/// <param name="Probabilities">Per image, the probability of each cluster; column <c>j</c> belongs to <paramref name="ClusterIds"/>[j].</param>
/// <param name="ClusterIds">Cluster id of each probability column.</param>
/// <param name="Novelty">Per image, whether it lies outside every cluster's training radius; null when the model has no novelty stage.</param>
[MessagePackObject]
public sealed record PredictResponse(
    [property: JsonPropertyName("model_version"), Key("model_version")] string ModelVersion,
    [property: JsonPropertyName("clusters"), Key("clusters")] int[] Clusters,
    [property: JsonPropertyName("probabilities"), Key("probabilities")] float[][] Probabilities,
    [property: JsonPropertyName("cluster_ids"), Key("cluster_ids")] int[] ClusterIds,
    [property: JsonPropertyName("novelty"), Key("novelty")] bool[]? Novelty);
