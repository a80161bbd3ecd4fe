using System.Text.Json;
using System.Text.Json.Serialization;

namespace Distributed.Grains.Storage;

/// <summary>The project's JSON conventions: snake_case names, enums as strings, nulls omitted.</summary>
public static class Json
{
    /// <summary>Serializer options for every file and API body the product writes.</summary>
    public static JsonSerializerOptions Options { get; } = new()
    {
        PropertyNamingPolicy = JsonNamingPolicy.SnakeCaseLower,
        DictionaryKeyPolicy = null,
        DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull,
        WriteIndented = true,
        NumberHandling = JsonNumberHandling.AllowNamedFloatingPointLiterals,
        Converters = { new JsonStringEnumConverter(JsonNamingPolicy.KebabCaseLower) },
    };
}
