using System.Numerics.Tensors;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// Assigns rows to their nearest centre by squared Euclidean distance, computed as
/// ‖x‖² − 2x·c + ‖c‖² (clamped at 0 against rounding), ties to the lower centre index.
/// </summary>
public static class NearestCentre
{
    /// <summary>Rows per parallel work item: fixed, so results do not depend on the thread count.</summary>
    public const int BlockRows = 2048;

    /// <summary>Squared norm of every row of a row-major buffer.</summary>
    public static float[] RowSquaredNorms(ReadOnlySpan<float> rows, int count, int dimension)
    {
        var norms = new float[count];
        for (var i = 0; i < count; i++)
        {
            var row = rows.Slice(i * dimension, dimension);
            norms[i] = TensorPrimitives.Dot(row, row);
        }
        return norms;
    }

    /// <summary>
    /// Nearest centre for rows [start, start+count) of <paramref name="data"/>; writes labels and
    /// squared distances at the same offsets relative to <paramref name="start"/>.
    /// </summary>
    public static void AssignBlock(Matrix data, int start, int count, ReadOnlySpan<float> centres, ReadOnlySpan<float> centreNorms,
        Span<int> labels, Span<float> squaredDistances)
    {
        var d = data.Cols;
        var k = centreNorms.Length;
        for (var i = 0; i < count; i++)
        {
            var row = data.Row(start + i);
            var rowNorm = TensorPrimitives.Dot(row, row);
            var best = 0;
            var bestDistance = float.PositiveInfinity;
            for (var c = 0; c < k; c++)
            {
                var distance = rowNorm - 2f * TensorPrimitives.Dot(row, centres.Slice(c * d, d)) + centreNorms[c];
                if (distance < bestDistance)
                {
                    bestDistance = distance;
                    best = c;
                }
            }
            labels[i] = best;
            squaredDistances[i] = MathF.Max(0f, bestDistance);
        }
    }

    /// <summary>Nearest centre for every row, in parallel blocks. Returns the inertia (sum of squared distances).</summary>
    public static double Assign(Matrix data, float[] centres, int k, int[] labels, float[] squaredDistances)
    {
        var norms = RowSquaredNorms(centres, k, data.Cols);
        var blocks = (data.Rows + BlockRows - 1) / BlockRows;
        var partial = new double[blocks];
        Parallel.For(0, blocks, b =>
        {
            var start = b * BlockRows;
            var count = Math.Min(BlockRows, data.Rows - start);
            AssignBlock(data, start, count, centres, norms, labels.AsSpan(start, count), squaredDistances.AsSpan(start, count));
            var sum = 0.0;
            for (var i = start; i < start + count; i++)
            {
                sum += squaredDistances[i];
            }
            partial[b] = sum;
        });
        var inertia = 0.0;
        foreach (var value in partial)
        {
            inertia += value;
        }
        return inertia;
    }
}
