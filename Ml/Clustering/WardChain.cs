using System.Numerics;
using System.Runtime.InteropServices;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// Ward agglomeration by the nearest-neighbour chain (Murtagh 1983; Müllner 2011, §3) over cluster
/// centroids and sizes: the Ward distance of clusters A and B is √(2·|A||B|/(|A|+|B|))·‖c_A − c_B‖,
/// scipy's convention, so no distance matrix is kept. O(n²·d) time, O(n·d) memory.
/// </summary>
/// <remarks>
/// Ward's distance is reducible, so the chain's merges, sorted by distance, are the greedy
/// algorithm's merges. Centroids and distances are float64 (scipy computes in float64; float32
/// sums would reorder near-tied merges). The nearest-neighbour scan is split into fixed blocks
/// reduced in block order, so the result does not depend on the thread count.
/// </remarks>
internal static class WardChain
{
    private const int BlockSize = 4096;
    private const int ParallelThreshold = 2 * BlockSize;

    /// <summary>The n − 1 merges of the rows of <paramref name="data"/>, in chain order.</summary>
    /// <param name="data">The rows.</param>
    /// <param name="parallelThreshold">Active clusters from which a scan runs its blocks in parallel (tests set it to compare both paths).</param>
    public static Merge[] Run(Matrix data, int parallelThreshold = ParallelThreshold)
    {
        var n = data.Rows;
        var d = data.Cols;
        // Active clusters are kept compact by position (swap-remove), so each scan reads one
        // contiguous block of centroids; slotAt / positionOf map between positions and the row
        // that represents the cluster.
        var centroids = new double[n * d];
        for (var i = 0; i < data.Data.Length; i++)
        {
            centroids[i] = data.Data[i];
        }
        var sizes = new double[n];
        Array.Fill(sizes, 1.0);
        var slotAt = new int[n];
        var positionOf = new int[n];
        for (var i = 0; i < n; i++)
        {
            slotAt[i] = i;
            positionOf[i] = i;
        }
        var active = n;
        var chain = new int[n];
        var chainLength = 0;
        var merges = new Merge[Math.Max(0, n - 1)];
        var mergeCount = 0;
        var partials = new (double Cost, int Position)[(n + BlockSize - 1) / BlockSize];
        while (active > 1)
        {
            if (chainLength == 0)
            {
                chain[chainLength++] = slotAt[0];
            }
            var a = chain[chainLength - 1];
            var previous = chainLength >= 2 ? chain[chainLength - 2] : -1;
            var pa = positionOf[a];
            // Start from the previous chain element so that a tie keeps it: the chain then ends in a
            // reciprocal pair instead of cycling.
            var bestCost = previous >= 0 ? Cost(centroids, sizes, d, pa, positionOf[previous]) : double.PositiveInfinity;
            var bestPosition = previous >= 0 ? positionOf[previous] : -1;
            var blocks = (active + BlockSize - 1) / BlockSize;
            if (active >= parallelThreshold)
            {
                var count = active;
                Parallel.For(0, blocks, b => partials[b] = Scan(centroids, sizes, d, pa, b * BlockSize, Math.Min(count, (b + 1) * BlockSize)));
            }
            else
            {
                for (var b = 0; b < blocks; b++)
                {
                    partials[b] = Scan(centroids, sizes, d, pa, b * BlockSize, Math.Min(active, (b + 1) * BlockSize));
                }
            }
            for (var b = 0; b < blocks; b++)
            {
                if (partials[b].Cost < bestCost)
                {
                    (bestCost, bestPosition) = partials[b];
                }
            }
            var nearest = slotAt[bestPosition];
            if (nearest != previous)
            {
                chain[chainLength++] = nearest;
                continue;
            }
            chainLength -= 2;
            merges[mergeCount++] = new Merge(Math.Min(a, nearest), Math.Max(a, nearest), Math.Sqrt(2 * bestCost));
            MergeInto(centroids, sizes, d, pa, bestPosition);
            // Remove the merged-away cluster by moving the last active one into its position.
            var last = active - 1;
            var removed = bestPosition;
            if (removed != last)
            {
                centroids.AsSpan(last * d, d).CopyTo(centroids.AsSpan(removed * d, d));
                sizes[removed] = sizes[last];
                slotAt[removed] = slotAt[last];
                positionOf[slotAt[removed]] = removed;
            }
            positionOf[nearest] = -1;
            active--;
        }
        return merges;
    }

    /// <summary>Half the squared Ward distance: |A||B|/(|A|+|B|)·‖c_A − c_B‖².</summary>
    private static double Cost(double[] centroids, double[] sizes, int d, int p, int q) =>
        sizes[p] * sizes[q] / (sizes[p] + sizes[q]) * SquaredDistance(centroids.AsSpan(p * d, d), centroids.AsSpan(q * d, d));

    /// <summary>Cheapest partner of position <paramref name="self"/> among positions [start, end), the earliest on ties.</summary>
    private static (double Cost, int Position) Scan(double[] centroids, double[] sizes, int d, int self, int start, int end)
    {
        var best = double.PositiveInfinity;
        var bestPosition = -1;
        var own = centroids.AsSpan(self * d, d);
        var ownSize = sizes[self];
        for (var q = start; q < end; q++)
        {
            if (q == self)
            {
                continue;
            }
            var cost = ownSize * sizes[q] / (ownSize + sizes[q]) * SquaredDistance(own, centroids.AsSpan(q * d, d));
            if (cost < best)
            {
                best = cost;
                bestPosition = q;
            }
        }
        return (best, bestPosition);
    }

    /// <summary>Replaces cluster <paramref name="into"/> by its union with <paramref name="other"/> (size-weighted centroid).</summary>
    private static void MergeInto(double[] centroids, double[] sizes, int d, int into, int other)
    {
        var total = sizes[into] + sizes[other];
        var target = centroids.AsSpan(into * d, d);
        var source = centroids.AsSpan(other * d, d);
        for (var j = 0; j < d; j++)
        {
            target[j] = (sizes[into] * target[j] + sizes[other] * source[j]) / total;
        }
        sizes[into] = total;
    }

    private static double SquaredDistance(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var sum = 0.0;
        var i = 0;
        if (Vector.IsHardwareAccelerated && x.Length >= Vector<double>.Count)
        {
            var vx = MemoryMarshal.Cast<double, Vector<double>>(x);
            var vy = MemoryMarshal.Cast<double, Vector<double>>(y[..x.Length]);
            var acc = Vector<double>.Zero;
            for (var v = 0; v < vx.Length; v++)
            {
                var delta = vx[v] - vy[v];
                acc += delta * delta;
            }
            sum = Vector.Sum(acc);
            i = vx.Length * Vector<double>.Count;
        }
        for (; i < x.Length; i++)
        {
            var delta = x[i] - y[i];
            sum += delta * delta;
        }
        return sum;
    }
}
