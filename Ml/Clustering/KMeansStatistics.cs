using System.Numerics;
using System.Runtime.CompilerServices;
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

    /// <summary>Adds one row to cluster <paramref name="label"/>'s sum and count (as <see cref="Accumulate"/> does).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Add(ReadOnlySpan<float> row, int label)
    {
        AddScaled(Sums.AsSpan(label * Dimension, Dimension), row, negate: false);
        Counts[label]++;
    }

    /// <summary>Takes one row out of cluster <paramref name="label"/>'s sum and count (a row that changed cluster).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    internal void Subtract(ReadOnlySpan<float> row, int label)
    {
        AddScaled(Sums.AsSpan(label * Dimension, Dimension), row, negate: true);
        Counts[label]--;
    }

    /// <summary>
    /// sum[j] += row[j] (or −=) in double. Widening a float is exact and each element is one
    /// rounding either way, so the vectors give the same values as the scalar loop.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddScaled(Span<double> sum, ReadOnlySpan<float> row, bool negate)
    {
        var j = 0;
        if (Vector.IsHardwareAccelerated)
        {
            for (; j + Vector<float>.Count <= sum.Length; j += Vector<float>.Count)
            {
                Vector.Widen(new Vector<float>(row[j..]), out var low, out var high);
                var lowSum = sum[j..];
                var highSum = sum[(j + Vector<double>.Count)..];
                (negate ? new Vector<double>(lowSum) - low : new Vector<double>(lowSum) + low).CopyTo(lowSum);
                (negate ? new Vector<double>(highSum) - high : new Vector<double>(highSum) + high).CopyTo(highSum);
            }
        }
        for (; j < sum.Length; j++)
        {
            sum[j] = negate ? sum[j] - row[j] : sum[j] + row[j];
        }
    }

    /// <summary>Back to empty, keeping the arrays.</summary>
    internal void Reset()
    {
        Array.Clear(Sums);
        Array.Clear(Counts);
        Inertia = 0;
    }

    /// <summary>Adds another worker's statistics into these.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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
