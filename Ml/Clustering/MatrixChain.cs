using Distributed.Ml.Neighbors;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// Average or complete agglomeration by the nearest-neighbour chain (Müllner 2011, §3) over a
/// condensed distance matrix with Lance–Williams updates: after merging A and B, the distance to
/// every other cluster K is (|A|·d(A,K) + |B|·d(B,K))/(|A|+|B|) (average) or max(d(A,K), d(B,K))
/// (complete). O(n²) time and n(n−1)/2 float32 values of memory.
/// </summary>
/// <remarks>
/// Both linkages are reducible, so the chain's merges, sorted by distance, are the greedy
/// algorithm's. Distances are computed in float32 and stored as float32 to halve the memory against
/// scipy's float64 matrix; complete linkage only takes maxima, so it loses nothing more, and the
/// average's sums lose at most a few ulps. Deterministic; the matrix is filled in parallel rows.
/// </remarks>
internal static class MatrixChain
{
    /// <summary>The n − 1 merges of the rows of <paramref name="data"/>, in chain order.</summary>
    public static Merge[] Run(Matrix data, Linkage linkage)
    {
        if (linkage is not (Linkage.Average or Linkage.Complete))
        {
            throw new ArgumentOutOfRangeException(nameof(linkage), $"The matrix chain runs average or complete linkage, not {linkage}.");
        }
        var n = data.Rows;
        var distances = new float[checked((long)n * (n - 1) / 2)];
        Parallel.For(0, n, i =>
        {
            var row = data.Row(i);
            var offset = Offset(n, i);
            for (var j = i + 1; j < n; j++)
            {
                distances[offset + j - i - 1] = MathF.Sqrt(SquaredEuclidean.Distance(row, data.Row(j)));
            }
        });

        var sizes = new double[n];
        Array.Fill(sizes, 1.0);
        // Active rows in a compact list (swap-remove); each row stands for the cluster it represents.
        var activeList = new int[n];
        var positionOf = new int[n];
        for (var i = 0; i < n; i++)
        {
            activeList[i] = i;
            positionOf[i] = i;
        }
        var active = n;
        var chain = new int[n];
        var chainLength = 0;
        var merges = new Merge[Math.Max(0, n - 1)];
        var mergeCount = 0;
        while (active > 1)
        {
            if (chainLength == 0)
            {
                chain[chainLength++] = activeList[0];
            }
            var a = chain[chainLength - 1];
            var previous = chainLength >= 2 ? chain[chainLength - 2] : -1;
            // Start from the previous chain element so that a tie keeps it (see WardChain).
            var best = previous >= 0 ? distances[Index(n, a, previous)] : float.PositiveInfinity;
            var nearest = previous;
            for (var p = 0; p < active; p++)
            {
                var k = activeList[p];
                if (k == a)
                {
                    continue;
                }
                var distance = distances[Index(n, a, k)];
                if (distance < best)
                {
                    best = distance;
                    nearest = k;
                }
            }
            if (nearest != previous)
            {
                chain[chainLength++] = nearest;
                continue;
            }
            chainLength -= 2;
            merges[mergeCount++] = new Merge(Math.Min(a, nearest), Math.Max(a, nearest), best);
            // Lance–Williams: the union keeps row a's slot.
            double sizeA = sizes[a], sizeB = sizes[nearest];
            for (var p = 0; p < active; p++)
            {
                var k = activeList[p];
                if (k == a || k == nearest)
                {
                    continue;
                }
                var ak = Index(n, a, k);
                var bk = Index(n, nearest, k);
                distances[ak] = linkage == Linkage.Complete
                    ? MathF.Max(distances[ak], distances[bk])
                    : (float)((sizeA * distances[ak] + sizeB * distances[bk]) / (sizeA + sizeB));
            }
            sizes[a] = sizeA + sizeB;
            var removed = positionOf[nearest];
            var last = activeList[active - 1];
            activeList[removed] = last;
            positionOf[last] = removed;
            positionOf[nearest] = -1;
            active--;
        }
        return merges;
    }

    /// <summary>Position in the condensed matrix of the first entry of row <paramref name="i"/> (pairs (i, j), j &gt; i).</summary>
    private static long Offset(int n, int i) => (long)i * (2L * n - i - 1) / 2;

    private static long Index(int n, int i, int j) => i < j ? Offset(n, i) + j - i - 1 : Offset(n, j) + i - j - 1;
}
