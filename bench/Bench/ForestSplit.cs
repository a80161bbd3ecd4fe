using Distributed.Ml.Numerics;

namespace Distributed.Bench;

/// <summary>The forest entries' inputs: PCA features with k-means pseudo-labels, split 80/20 by the shared index files.</summary>
internal sealed record ForestSplit(Matrix Train, int[] TrainLabels, Matrix Test, int[] TestLabels)
{
    public static ForestSplit From(BenchData data)
    {
        var features = data.Features;
        var labels = data.PseudoLabels;
        return new ForestSplit(
            features.SelectRows(data.TrainRows), Array.ConvertAll(data.TrainRows, i => labels[i]),
            features.SelectRows(data.TestRows), Array.ConvertAll(data.TestRows, i => labels[i]));
    }

    /// <summary>The first <paramref name="rows"/> training rows, for warm-up fits.</summary>
    public (Matrix Rows, int[] Labels) TrainHead(int rows)
    {
        var count = Math.Min(rows, Train.Rows);
        var indices = Enumerable.Range(0, count).ToArray();
        return (Train.SelectRows(indices), TrainLabels[..count]);
    }

    public static double Accuracy(int[] expected, int[] predicted)
    {
        var correct = 0;
        for (var i = 0; i < expected.Length; i++)
        {
            correct += expected[i] == predicted[i] ? 1 : 0;
        }
        return (double)correct / expected.Length;
    }
}
