using System.Text.Json.Serialization;

namespace Distributed.Grains.Interfaces.Serving;

/// <summary>One stage of a served model bundle.</summary>
/// <param name="Name">Role: features, reduce, cluster, classifier, novelty.</param>
/// <param name="Kind">Model kind, e.g. <c>pca</c> or <c>random-forest</c>.</param>
/// <param name="Bytes">Size of the stage file.</param>
public sealed record ModelStageInfo(
    [property: JsonPropertyName("name")] string Name,
    [property: JsonPropertyName("kind")] string Kind,
    [property: JsonPropertyName("bytes")] long Bytes);
