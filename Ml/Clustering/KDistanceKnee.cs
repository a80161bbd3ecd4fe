using Distributed.Ml.Neighbors;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// Chooses DBSCAN's radius from the sorted k-distance curve (Ester et al. 1996, §4.2): each row's
/// distance to its k-th nearest row counting itself (k = min_samples, so exactly the radius at
/// which that row becomes core), sorted ascending. The knee is the point farthest below the chord
/// from the curve's first to its last point, with both axes scaled to [0, 1] (the "kneedle"
/// construction of Satopää et al. 2011 without smoothing).
/// </summary>
/// <remarks>
/// Rows left of the knee sit in dense regions and become core; the steep tail right of it is the
/// sparse rows the method should call noise. The rule is deterministic (exact k-d tree search).
/// A single extreme outlier stretches the chord and pushes the knee right (a larger eps), so the
/// chosen value is reported for the user to check and override with an explicit eps.
/// </remarks>
public static class KDistanceKnee
{
    /// <summary>The sorted k-distance curve (Euclidean), ascending.</summary>
    public static float[] Curve(KdTree tree, Matrix data, int minSamples)
    {
        ArgumentNullException.ThrowIfNull(tree);
        ArgumentNullException.ThrowIfNull(data);
        if (minSamples < 2 || minSamples > data.Rows)
        {
            throw new ArgumentOutOfRangeException(nameof(minSamples), $"The k-distance curve needs min_samples in 2..{data.Rows} (the rows), got {minSamples}.");
        }
        var curve = new float[data.Rows];
        const int blockRows = 1024;
        var blocks = (data.Rows + blockRows - 1) / blockRows;
        Parallel.For(0, blocks, () => (new int[minSamples], new float[minSamples]), (b, _, buffers) =>
        {
            var (indices, distances) = buffers;
            var end = Math.Min(data.Rows, (b + 1) * blockRows);
            for (var i = b * blockRows; i < end; i++)
            {
                tree.Nearest(data.Row(i), indices, distances);
                curve[i] = MathF.Sqrt(distances[minSamples - 1]);
            }
            return buffers;
        }, _ => { });
        Array.Sort(curve);
        return curve;
    }

    /// <summary>Index of the knee of an ascending curve: the point farthest below its chord, axes scaled to [0, 1]; the first such point on ties.</summary>
    public static int KneeIndex(ReadOnlySpan<float> sortedCurve)
    {
        var n = sortedCurve.Length;
        if (n < 3)
        {
            return n - 1;
        }
        double first = sortedCurve[0], last = sortedCurve[n - 1];
        var range = last - first;
        if (range <= 0)
        {
            return n - 1;
        }
        var best = n - 1;
        var bestGap = 0.0;
        for (var i = 0; i < n; i++)
        {
            var x = (double)i / (n - 1);
            var y = (sortedCurve[i] - first) / range;
            var gap = x - y; // the chord is y = x after scaling; the perpendicular distance is gap/√2
            if (gap > bestGap)
            {
                bestGap = gap;
                best = i;
            }
        }
        return best;
    }

    /// <summary>
    /// The radius at the knee; when that is 0 (more than half the rows duplicated), the smallest
    /// positive k-distance instead, since a zero radius would only join exact duplicates.
    /// </summary>
    /// <exception cref="ArgumentException">Every k-distance is 0 (all rows identical).</exception>
    public static double Choose(KdTree tree, Matrix data, int minSamples)
    {
        var curve = Curve(tree, data, minSamples);
        var eps = curve[KneeIndex(curve)];
        if (eps > 0)
        {
            return eps;
        }
        foreach (var value in curve)
        {
            if (value > 0)
            {
                return value;
            }
        }
        throw new ArgumentException("Every row has its min_samples nearest rows at distance 0; no radius can be chosen.", nameof(data));
    }
}
