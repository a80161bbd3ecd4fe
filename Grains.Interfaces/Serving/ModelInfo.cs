using System.Text.Json;
using System.Text.Json.Serialization;

namespace Distributed.Grains.Interfaces.Serving;

/// <summary>Answer of <c>GET /v1/model</c>: the model bundle a predictor serves, from its manifest.</summary>
/// <param name="ModelVersion">Unique version of the bundle (a new one per fit).</param>
/// <param name="CreatedUtc">When the bundle was written.</param>
/// <param name="LoadedUtc">When this predictor loaded it.</param>
/// <param name="Producer">Product and version that wrote the bundle.</param>
/// <param name="Seed">Seed of the fit.</param>
/// <param name="InputShape">Shape of one input image: channels, height, width.</param>
/// <param name="Options">Pipeline options of the fit, as in the manifest (snake_case object).</param>
/// <param name="ClusterIds">Cluster ids the classifier predicts, ascending.</param>
/// <param name="ClusterSizes">Members per cluster in the training data.</param>
/// <param name="Stages">Stage files of the bundle, in pipeline order.</param>
/// <param name="Metrics">The training run's <c>metrics.json</c> when it lies beside the model directory and belongs to this model version; otherwise null.</param>
public sealed record ModelInfo(
    [property: JsonPropertyName("model_version")] string ModelVersion,
    [property: JsonPropertyName("created_utc")] DateTimeOffset CreatedUtc,
    [property: JsonPropertyName("loaded_utc")] DateTimeOffset LoadedUtc,
    [property: JsonPropertyName("producer")] string Producer,
    [property: JsonPropertyName("seed")] ulong Seed,
    [property: JsonPropertyName("input_shape")] int[] InputShape,
    [property: JsonPropertyName("options")] JsonElement Options,
    [property: JsonPropertyName("cluster_ids")] int[] ClusterIds,
    [property: JsonPropertyName("cluster_sizes")] long[] ClusterSizes,
    [property: JsonPropertyName("stages")] IReadOnlyList<ModelStageInfo> Stages,
    [property: JsonPropertyName("metrics")] JsonElement? Metrics);
