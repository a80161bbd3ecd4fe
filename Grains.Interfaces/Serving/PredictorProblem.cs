using System.Text.Json.Serialization;

namespace Distributed.Grains.Interfaces.Serving;

/// <summary>
/// An RFC 9457 problem details body (<c>application/problem+json</c>) as the predictor API returns
/// it for every refused request: what is wrong is in <see cref="Detail"/>.
/// </summary>
/// <param name="Type">URI reference that identifies the problem type.</param>
/// <param name="Title">Short summary of the problem type.</param>
/// <param name="Status">HTTP status code.</param>
/// <param name="Detail">What is wrong with this request, in one line.</param>
/// <param name="Instance">URI reference of this occurrence.</param>
public sealed record PredictorProblem(
    [property: JsonPropertyName("type")] string? Type,
    [property: JsonPropertyName("title")] string? Title,
    [property: JsonPropertyName("status")] int? Status,
    [property: JsonPropertyName("detail")] string? Detail,
    [property: JsonPropertyName("instance")] string? Instance);
