using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// Partial sufficient statistics of one k-means step over some rows: per-cluster sums and counts
/// and the inertia. Merging is addition, so workers can compute them over their shards and a
/// coordinator can reduce them; merged in a fixed order the result is bit-identical to one pass.
/// </summary>
public sealed class KMeansStatistics
{
    /// <summary>Empty statistics for k clusters of dimension d.</summary>
    public KMeansStatistics(int clusters, int dimension)
    {
        Clusters = clusters;
        Dimension = dimension;
        Sums = new double[clusters * dimension];
        Counts = new long[clusters];
    }

    /// <summary>Number of clusters.</summary>
    public int Clusters { get; }

    /// <summary>Row dimension.</summary>
    public int Dimension { get; }

    /// <summary>Per-cluster sum of member rows, row-major k×d.</summary>
    public double[] Sums { get; }

    /// <summary>Per-cluster member counts.</summary>
    public long[] Counts { get; }

    /// <summary>Sum of squared distances to the assigned centres.</summary>
    public double Inertia { get; set; }

    /// <summary>Adds rows [start, start+count) given their labels and squared distances.</summary>
    public void Accumulate(Matrix data, int start, int count, ReadOnlySpan<int> labels, ReadOnlySpan<float> squaredDistances)
    {
        var d = Dimension;
        for (var i = 0; i < count; i++)
        {
            var label = labels[i];
            var row = data.Row(start + i);
            var sum = Sums.AsSpan(label * d, d);
            for (var j = 0; j < d; j++)
            {
                sum[j] += row[j];
            }
            Counts[label]++;
            Inertia += squaredDistances[i];
        }
    }

    /// <summary>Adds another worker's statistics into these.</summary>
    public void Merge(KMeansStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Clusters != Clusters || other.Dimension != Dimension)
        {
            throw new ArgumentException("Statistics of different shapes cannot be merged.", nameof(other));
        }
        for (var i = 0; i < Sums.Length; i++)
        {
            Sums[i] += other.Sums[i];
        }
        for (var c = 0; c < Clusters; c++)
        {
            Counts[c] += other.Counts[c];
        }
        Inertia += other.Inertia;
    }

    /// <summary>Writes the mean of every non-empty cluster into <paramref name="centres"/>; empty clusters keep their centre.</summary>
    public void WriteMeans(Span<float> centres)
    {
        var d = Dimension;
        for (var c = 0; c < Clusters; c++)
        {
            if (Counts[c] == 0)
            {
                continue;
            }
            var inverse = 1.0 / Counts[c];
            for (var j = 0; j < d; j++)
            {
                centres[c * d + j] = (float)(Sums[c * d + j] * inverse);
            }
        }
    }

    /// <summary>Statistics of all rows for fixed labels, computed in parallel blocks and reduced in block order.</summary>
    public static KMeansStatistics Compute(Matrix data, int clusters, int[] labels, float[] squaredDistances)
    {
        var blocks = (data.Rows + NearestCentre.BlockRows - 1) / NearestCentre.BlockRows;
        var partial = new KMeansStatistics[blocks];
        Parallel.For(0, blocks, b =>
        {
            var start = b * NearestCentre.BlockRows;
            var count = Math.Min(NearestCentre.BlockRows, data.Rows - start);
            var stats = new KMeansStatistics(clusters, data.Cols);
            stats.Accumulate(data, start, count, labels.AsSpan(start, count), squaredDistances.AsSpan(start, count));
            partial[b] = stats;
        });
        var total = new KMeansStatistics(clusters, data.Cols);
        foreach (var stats in partial)
        {
            total.Merge(stats);
        }
        return total;
    }
}
