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
/// <param name="Labels">Per image, its cluster's name (its id when unnamed, "noise" for −1); null when the model has no names.</param>
/// <param name="LabelNames">The distinct labels; null when the model has no names.</param>
/// <param name="LabelProbabilities">Per image, the probability of each of <paramref name="LabelNames"/>: clusters that share a name add up; null when the model has no names.</param>
[MessagePackObject]
public sealed record PredictResponse(
    [property: JsonPropertyName("model_version"), Key("model_version")] string ModelVersion,
    [property: JsonPropertyName("clusters"), Key("clusters")] int[] Clusters,
    [property: JsonPropertyName("probabilities"), Key("probabilities")] float[][] Probabilities,
    [property: JsonPropertyName("cluster_ids"), Key("cluster_ids")] int[] ClusterIds,
    [property: JsonPropertyName("novelty"), Key("novelty")] bool[]? Novelty,
    [property: JsonPropertyName("labels"), Key("labels")] string[]? Labels = null,
    [property: JsonPropertyName("label_names"), Key("label_names")] string[]? LabelNames = null,
    [property: JsonPropertyName("label_probabilities"), Key("label_probabilities")] float[][]? LabelProbabilities = null);
