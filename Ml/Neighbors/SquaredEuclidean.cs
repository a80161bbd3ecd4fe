using System.Numerics;
using System.Runtime.InteropServices;

namespace Distributed.Ml.Neighbors;

/// <summary>Squared Euclidean distance between two rows, computed directly (no norm expansion).</summary>
/// <remarks>
/// Exactly symmetric — (x−y)² and (y−x)² are the same float — and independent of any blocking, so
/// a pair's distance is the same bits wherever and in whatever order it is evaluated. That is what
/// makes neighbour searches reproducible and their results independent of how queries are batched.
/// </remarks>
internal static class SquaredEuclidean
{
    public static float Distance(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var length = x.Length;
        var sum = 0f;
        var i = 0;
        if (Vector.IsHardwareAccelerated && length >= Vector<float>.Count)
        {
            var vx = MemoryMarshal.Cast<float, Vector<float>>(x);
            var vy = MemoryMarshal.Cast<float, Vector<float>>(y[..length]);
            var acc = Vector<float>.Zero;
            for (var v = 0; v < vx.Length; v++)
            {
                var d = vx[v] - vy[v];
                acc += d * d;
            }
            sum = Vector.Sum(acc);
            i = vx.Length * Vector<float>.Count;
        }
        for (; i < length; i++)
        {
            var d = x[i] - y[i];
            sum += d * d;
        }
        return sum;
    }
}
