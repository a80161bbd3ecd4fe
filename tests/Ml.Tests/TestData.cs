using System.Text.Json;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests;

/// <summary>Small synthetic data sets and the committed scikit-learn fixtures.</summary>
internal static class TestData
{
    public static string Fixture(string name) => Path.Combine(AppContext.BaseDirectory, "fixtures", name);

    public static JsonElement Reference { get; } = JsonDocument.Parse(File.ReadAllText(Fixture("metrics_reference.json"))).RootElement;

    public static int[] Ints(string name) => Reference.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();

    public static double Number(string name) => Reference.GetProperty(name).GetDouble();

    public static Matrix ReferenceX()
    {
        var rows = Reference.GetProperty("X").EnumerateArray().Select(r => r.EnumerateArray().Select(v => v.GetSingle()).ToArray()).ToArray();
        return new Matrix(rows.Length, rows[0].Length, rows.SelectMany(r => r).ToArray());
    }

    /// <summary>Gaussian blobs with unit spread around centres placed far apart; labels are the blob index.</summary>
    public static (Matrix Data, int[] Labels) Blobs(int perBlob, int blobs, int dimension, ulong seed, double separation = 20)
    {
        var rng = new Rng(seed);
        var data = new Matrix(perBlob * blobs, dimension);
        var labels = new int[perBlob * blobs];
        for (var b = 0; b < blobs; b++)
        {
            for (var i = 0; i < perBlob; i++)
            {
                var row = data.Row(b * perBlob + i);
                for (var j = 0; j < dimension; j++)
                {
                    var centre = j == b % dimension ? separation * (1 + b / dimension) : 0;
                    row[j] = (float)(centre + rng.NextGaussian());
                }
                labels[b * perBlob + i] = b;
            }
        }
        return (data, labels);
    }
}
