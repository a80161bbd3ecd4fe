using System.Numerics.Tensors;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Metrics;

/// <summary>
/// Mean silhouette coefficient (Rousseeuw 1987) on a seeded random sample, as scikit-learn's
/// <c>silhouette_score(sample_size=…)</c>: the sample is both the scored points and the reference set.
/// Noise (−1) rows are left out. O(s²·d) for a sample of s rows.
/// </summary>
public static class Silhouette
{
    /// <summary>Default sample size: large enough for a stable mean, small enough to stay O(seconds).</summary>
    public const int DefaultSampleSize = 10_000;

    /// <summary>Mean silhouette in [−1, 1]; 0 when there are fewer than two clusters.</summary>
    public static double Score(Matrix data, ReadOnlySpan<int> labels, int sampleSize, ulong seed)
    {
        if (labels.Length != data.Rows)
        {
            throw new ArgumentException($"{labels.Length} labels for {data.Rows} rows.");
        }
        var candidates = new List<int>(data.Rows);
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= 0)
            {
                candidates.Add(i);
            }
        }
        var rng = Rng.Derive(seed, RandomStreams.Sample);
        var chosen = candidates.Count <= sampleSize
            ? [.. candidates]
            : Array.ConvertAll(rng.SampleWithoutReplacement(candidates.Count, sampleSize), i => candidates[i]);
        var sample = data.SelectRows(chosen);
        var sampleLabels = new int[chosen.Length];
        for (var i = 0; i < chosen.Length; i++)
        {
            sampleLabels[i] = labels[chosen[i]];
        }
        return ScoreAll(sample, sampleLabels);
    }

    /// <summary>Exact mean silhouette over every row.</summary>
    public static double ScoreAll(Matrix data, int[] labels)
    {
        var clusters = labels.Distinct().Order().ToArray();
        var k = clusters.Length;
        var n = data.Rows;
        if (k < 2 || k >= n)
        {
            return 0;
        }
        var index = Array.ConvertAll(labels, l => Array.BinarySearch(clusters, l));
        var sizes = new int[k];
        foreach (var c in index)
        {
            sizes[c]++;
        }
        var norms = new float[n];
        for (var i = 0; i < n; i++)
        {
            norms[i] = TensorPrimitives.Dot(data.Row(i), data.Row(i));
        }

        // One GEMM per block of rows (BLAS threads itself), then rows of the block in parallel;
        // per-row values are summed in row order, so the result is deterministic.
        const int blockRows = 1024;
        var perRow = new double[n];
        var dots = new float[Math.Min(blockRows, n) * n];
        for (var start = 0; start < n; start += blockRows)
        {
            var rows = Math.Min(blockRows, n - start);
            Gemm.MultiplyTransposed(data.RowBlock(start, rows), rows, data.Data, n, data.Cols, dots);
            Parallel.For(0, rows, () => new double[k], (r, _, sums) =>
            {
                var i = start + r;
                Array.Clear(sums);
                var dotRow = dots.AsSpan(r * n, n);
                for (var j = 0; j < n; j++)
                {
                    var squared = norms[i] + norms[j] - 2f * dotRow[j];
                    sums[index[j]] += j == i ? 0 : Math.Sqrt(Math.Max(0f, squared));
                }
                var own = index[i];
                if (sizes[own] == 1)
                {
                    return sums; // silhouette of a singleton is 0
                }
                var a = sums[own] / (sizes[own] - 1);
                var bMin = double.PositiveInfinity;
                for (var c = 0; c < k; c++)
                {
                    if (c != own)
                    {
                        bMin = Math.Min(bMin, sums[c] / sizes[c]);
                    }
                }
                var denominator = Math.Max(a, bMin);
                perRow[i] = denominator > 0 ? (bMin - a) / denominator : 0;
                return sums;
            }, _ => { });
        }
        return perRow.Sum() / n;
    }
}
