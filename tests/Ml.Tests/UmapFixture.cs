using System.Text.Json;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests;

/// <summary>Reference values from tests/fixtures/make_umap_fixture.py (scipy, scikit-learn, umap-learn's algorithms).</summary>
internal static class UmapFixture
{
    public static JsonElement Root { get; } = JsonDocument.Parse(File.ReadAllText(TestData.Fixture("umap_reference.json"))).RootElement;

    public static Matrix Matrix(JsonElement rows)
    {
        var values = rows.EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        return new Matrix(values.Length, values[0].Length, values.SelectMany(r => r).ToArray());
    }

    public static int[] Ints(JsonElement rows) =>
        rows.EnumerateArray().SelectMany(r => r.EnumerateArray().Select(v => v.GetInt32())).ToArray();

    public static double[] Doubles(JsonElement values) =>
        values.EnumerateArray().SelectMany(r => r.ValueKind == JsonValueKind.Array ? r.EnumerateArray().Select(v => v.GetDouble()) : [r.GetDouble()]).ToArray();
}
