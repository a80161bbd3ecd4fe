using Distributed.Ml.Numerics;

namespace Distributed.Ml.Metrics;

/// <summary>Per-cluster counts and centroids, ignoring noise (label −1); shared by the internal metrics.</summary>
internal sealed class ClusterMeans
{
    private ClusterMeans(int[] labels, long[] counts, double[] centroids, double[] overallMean, int dimension)
    {
        Labels = labels;
        Counts = counts;
        Centroids = centroids;
        OverallMean = overallMean;
        Dimension = dimension;
    }

    /// <summary>Distinct non-noise cluster labels, ascending.</summary>
    public int[] Labels { get; }

    public long[] Counts { get; }

    /// <summary>Row-major clusters × dimension.</summary>
    public double[] Centroids { get; }

    public double[] OverallMean { get; }

    public int Dimension { get; }

    public long Total => Counts.Sum();

    /// <summary>Index of a label in <see cref="Labels"/>, or −1 for noise.</summary>
    public int IndexOf(int label) => label < 0 ? -1 : Array.BinarySearch(Labels, label);

    public static ClusterMeans Compute(Matrix data, ReadOnlySpan<int> labels)
    {
        if (labels.Length != data.Rows)
        {
            throw new ArgumentException($"{labels.Length} labels for {data.Rows} rows.");
        }
        var distinct = new SortedSet<int>();
        foreach (var label in labels)
        {
            if (label >= 0)
            {
                distinct.Add(label);
            }
        }
        int[] clusters = [.. distinct];
        var d = data.Cols;
        var counts = new long[clusters.Length];
        var sums = new double[clusters.Length * d];
        var overall = new double[d];
        for (var i = 0; i < data.Rows; i++)
        {
            if (labels[i] < 0)
            {
                continue;
            }
            var c = Array.BinarySearch(clusters, labels[i]);
            counts[c]++;
            var row = data.Row(i);
            for (var j = 0; j < d; j++)
            {
                sums[c * d + j] += row[j];
                overall[j] += row[j];
            }
        }
        var total = counts.Sum();
        for (var c = 0; c < clusters.Length; c++)
        {
            for (var j = 0; j < d; j++)
            {
                sums[c * d + j] /= counts[c];
            }
        }
        for (var j = 0; j < d && total > 0; j++)
        {
            overall[j] /= total;
        }
        return new ClusterMeans(clusters, counts, sums, overall, d);
    }

    /// <summary>Squared distance between a row and a centroid.</summary>
    public double SquaredDistance(ReadOnlySpan<float> row, int cluster)
    {
        var sum = 0.0;
        for (var j = 0; j < Dimension; j++)
        {
            var delta = row[j] - Centroids[cluster * Dimension + j];
            sum += delta * delta;
        }
        return sum;
    }
}
