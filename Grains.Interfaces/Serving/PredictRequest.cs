using System.Text.Json.Serialization;

namespace Distributed.Grains.Interfaces.Serving;

/// <summary>
/// JSON body of <c>POST /v1/predict</c>: images as rows of 784 pixel values (28×28, row-major).
/// </summary>
/// <remarks>
/// Values are 0..255, or 0..1 when already scaled. The scaling rule is the one of the file readers,
/// decided once per request: if any value is above 1 every value is divided by 255, otherwise the
/// values are kept. NaN, infinite or out-of-range values are refused.
/// </remarks>
/// <param name="Images">One array of 784 values per image.</param>
public sealed record PredictRequest(
    [property: JsonPropertyName("images")] IReadOnlyList<float[]>? Images);
