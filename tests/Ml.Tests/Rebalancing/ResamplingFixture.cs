using System.Text.Json;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Rebalancing;

/// <summary>The imblearn / scikit-learn reference made by tests/fixtures/make_resampling_fixture.py.</summary>
internal static class ResamplingFixture
{
    public static JsonElement Root { get; } = JsonDocument.Parse(File.ReadAllText(TestData.Fixture("resampling_reference.json"))).RootElement;

    public static JsonElement Smote => Root.GetProperty("smote");

    public static JsonElement LabelSpreading => Root.GetProperty("label_spreading");

    public static Matrix Matrix(JsonElement section, string name)
    {
        var rows = section.GetProperty(name).EnumerateArray().Select(r => r.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray()).ToArray();
        return new Matrix(rows.Length, rows[0].Length, rows.SelectMany(r => r).ToArray());
    }

    public static int[] Ints(JsonElement section, string name) => section.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public static double[] Doubles(JsonElement section, string name) => section.GetProperty(name).EnumerateArray().Select(e => e.GetDouble()).ToArray();

    public static SortedDictionary<int, long> Counts(JsonElement counts) =>
        new(counts.EnumerateObject().ToDictionary(p => int.Parse(p.Name, System.Globalization.CultureInfo.InvariantCulture), p => p.Value.GetInt64()));
}
