using Distributed.Ml.Numerics;

namespace Distributed.Ml.Forest;

/// <summary>
/// Per-feature bin edges. A value x falls in the first bin b with x ≤ edge[b] (the last bin is
/// open-ended), so "bin ≤ b" and "x ≤ edge[b]" are the same test: trees trained on bins predict
/// on raw values with no binning at prediction time.
/// </summary>
public sealed class FeatureBins
{
    private FeatureBins(float[][] edges) => Edges = edges;

    /// <summary>Edges of each feature, ascending; feature f has Edges[f].Length + 1 bins.</summary>
    public float[][] Edges { get; }

    /// <summary>
    /// Places edges at midpoints between distinct sample values: every gap when a feature has at
    /// most <paramref name="maxBins"/> distinct values, otherwise at equally spaced quantiles.
    /// </summary>
    public static FeatureBins Fit(Matrix data, int maxBins, int sampleSize, Rng rng)
    {
        if (maxBins is < 2 or > 256)
        {
            throw new ArgumentOutOfRangeException(nameof(maxBins), $"Bins must be in 2..256, got {maxBins}.");
        }
        var rows = data.Rows <= sampleSize ? null : rng.SampleWithoutReplacement(data.Rows, sampleSize);
        var count = rows?.Length ?? data.Rows;
        var edges = new float[data.Cols][];
        Parallel.For(0, data.Cols, f =>
        {
            var values = new float[count];
            for (var i = 0; i < count; i++)
            {
                values[i] = data.Data[(long)(rows is null ? i : rows[i]) * data.Cols + f];
            }
            Array.Sort(values);
            edges[f] = EdgesOf(values, maxBins);
        });
        return new FeatureBins(edges);
    }

    /// <summary>Bins every value, column-major: result[f][i] is the bin of row i, feature f.</summary>
    public byte[][] Bin(Matrix data)
    {
        var columns = new byte[data.Cols][];
        Parallel.For(0, data.Cols, f =>
        {
            var column = new byte[data.Rows];
            var edges = Edges[f];
            for (var i = 0; i < data.Rows; i++)
            {
                column[i] = (byte)BinOf(edges, data.Data[(long)i * data.Cols + f]);
            }
            columns[f] = column;
        });
        return columns;
    }

    private static int BinOf(float[] edges, float value)
    {
        var lo = 0;
        var hi = edges.Length;
        while (lo < hi)
        {
            var mid = (lo + hi) >>> 1;
            if (value <= edges[mid])
            {
                hi = mid;
            }
            else
            {
                lo = mid + 1;
            }
        }
        return lo;
    }

    private static float[] EdgesOf(float[] sorted, int maxBins)
    {
        var distinct = 1;
        for (var i = 1; i < sorted.Length; i++)
        {
            distinct += sorted[i] != sorted[i - 1] ? 1 : 0;
        }
        var edges = new List<float>(Math.Min(distinct, maxBins));
        if (distinct <= maxBins)
        {
            for (var i = 1; i < sorted.Length; i++)
            {
                if (sorted[i] != sorted[i - 1])
                {
                    edges.Add(Midpoint(sorted[i - 1], sorted[i]));
                }
            }
        }
        else
        {
            for (var q = 1; q < maxBins; q++)
            {
                var position = (int)((long)q * sorted.Length / maxBins);
                if (position <= 0 || sorted[position] == sorted[position - 1])
                {
                    continue;
                }
                var edge = Midpoint(sorted[position - 1], sorted[position]);
                if (edges.Count == 0 || edge > edges[^1])
                {
                    edges.Add(edge);
                }
            }
        }
        return [.. edges];
    }

    // The midpoint can round up to the larger value in float; keep it strictly below so the
    // larger value lands in the upper bin.
    private static float Midpoint(float low, float high)
    {
        var mid = low + (high - low) / 2f;
        return mid >= high ? low : mid;
    }

    /// <summary>Rebuilds bins from stored edges.</summary>
    internal static FeatureBins FromEdges(float[][] edges) => new(edges);
}
