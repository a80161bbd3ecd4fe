using Distributed.Ml.Neighbors;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// DBSCAN (Ester, Kriegel, Sander &amp; Xu 1996) with scikit-learn's semantics: a row is core when
/// at least min_samples rows, itself included, lie within eps (inclusive); clusters are the
/// connected components of core rows joined within eps, plus the non-core rows within eps of one
/// of them (border rows); every other row is noise, −1.
/// </summary>
/// <remarks>
/// Region queries go through a <see cref="KdTree"/>: memory O(n·d), never the O(n²) distance matrix
/// nor every neighbourhood at once. Pass 1 counts each row's neighbours in parallel and stops at
/// min_samples. Pass 2 joins core rows within eps of each other (union–find over parallel region
/// queries, one block of rows at a time) and pass 3 attaches border rows. Numbering follows
/// scikit-learn's: clusters in order of their lowest core row, and a border row within reach of
/// several clusters joins the one numbered first (scikit-learn expands one cluster completely
/// before it starts the next, so the first to reach a border row is always the lowest-numbered). So on inputs without distances within rounding of eps, the labels
/// equal scikit-learn's exactly. Deterministic: there is no randomness, and the result does not
/// depend on the thread count.
/// </remarks>
public static class Dbscan
{
    private const int BlockRows = 1024;

    /// <summary>Clusters the rows of <paramref name="data"/>.</summary>
    public static DbscanResult Fit(Matrix data, DbscanOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        if (data.Rows < 1)
        {
            throw new ArgumentException("DBSCAN needs at least one row.", nameof(data));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MinSamples, 1, nameof(options.MinSamples));
        if (options.Eps is { } given && !(given > 0 && double.IsFinite(given)))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Eps must be positive and finite, got {given}.");
        }

        var tree = new KdTree(data);
        var eps = options.Eps ?? KDistanceKnee.Choose(tree, data, options.MinSamples);
        var radiusSquared = (float)(eps * eps);
        var core = CoreRows(tree, data, radiusSquared, options.MinSamples);
        var (labels, clusters) = Expand(tree, data, radiusSquared, core);

        var coreCount = 0;
        foreach (var isCore in core)
        {
            coreCount += isCore ? 1 : 0;
        }
        var corePoints = new Matrix(coreCount, data.Cols);
        var coreLabels = new int[coreCount];
        for (int i = 0, c = 0; i < data.Rows; i++)
        {
            if (core[i])
            {
                data.Row(i).CopyTo(corePoints.Row(c));
                coreLabels[c++] = labels[i];
            }
        }
        var model = new DbscanModel(corePoints, coreLabels, clusters, eps, options.MinSamples, epsChosen: options.Eps is null);
        return new DbscanResult(model, labels);
    }

    /// <summary>Whether each row has at least <paramref name="minSamples"/> rows (itself included) within the radius.</summary>
    private static bool[] CoreRows(KdTree tree, Matrix data, float radiusSquared, int minSamples)
    {
        var core = new bool[data.Rows];
        var blocks = (data.Rows + BlockRows - 1) / BlockRows;
        Parallel.For(0, blocks, b =>
        {
            var end = Math.Min(data.Rows, (b + 1) * BlockRows);
            for (var i = b * BlockRows; i < end; i++)
            {
                core[i] = tree.CountWithin(data.Row(i), radiusSquared, minSamples) >= minSamples;
            }
        });
        return core;
    }

    /// <summary>
    /// Joins core rows within the radius of each other (union–find over core–core pairs, found by
    /// parallel region queries in blocks so memory stays bounded), numbers the components by their
    /// lowest core row, then gives each border row the lowest-numbered cluster among its core
    /// neighbours. The partition does not depend on the order of the unions, so this equals
    /// scikit-learn's sequential expansion.
    /// </summary>
    private static (int[] Labels, int Clusters) Expand(KdTree tree, Matrix data, float radiusSquared, bool[] core)
    {
        var n = data.Rows;
        var parent = new int[n];
        for (var i = 0; i < n; i++)
        {
            parent[i] = i;
        }
        const int parallelBlock = 16 * BlockRows;
        var pairs = new List<int>[parallelBlock / BlockRows];
        for (var c = 0; c < pairs.Length; c++)
        {
            pairs[c] = [];
        }
        for (var start = 0; start < n; start += parallelBlock)
        {
            var blockStart = start;
            var chunks = (Math.Min(n, start + parallelBlock) - start + BlockRows - 1) / BlockRows;
            Parallel.For(0, chunks, () => new List<int>(), (c, _, neighbours) =>
            {
                var found = pairs[c];
                found.Clear();
                var end = Math.Min(n, blockStart + (c + 1) * BlockRows);
                for (var i = blockStart + c * BlockRows; i < end; i++)
                {
                    if (!core[i])
                    {
                        continue;
                    }
                    neighbours.Clear();
                    tree.Within(data.Row(i), radiusSquared, neighbours);
                    foreach (var j in neighbours)
                    {
                        if (j < i && core[j])
                        {
                            found.Add(i);
                            found.Add(j);
                        }
                    }
                }
                return neighbours;
            }, _ => { });
            for (var c = 0; c < chunks; c++)
            {
                var found = pairs[c];
                for (var p = 0; p < found.Count; p += 2)
                {
                    Union(parent, found[p], found[p + 1]);
                }
            }
        }

        var labels = new int[n];
        var clusterOfRoot = new int[n];
        Array.Fill(clusterOfRoot, -1);
        var clusters = 0;
        for (var i = 0; i < n; i++)
        {
            labels[i] = -1;
            if (core[i])
            {
                var root = Find(parent, i);
                if (clusterOfRoot[root] < 0)
                {
                    clusterOfRoot[root] = clusters++;
                }
                labels[i] = clusterOfRoot[root];
            }
        }

        // Border rows: read only core rows' labels, written above, so the blocks are independent.
        var blocks = (n + BlockRows - 1) / BlockRows;
        Parallel.For(0, blocks, () => new List<int>(), (b, _, neighbours) =>
        {
            var end = Math.Min(n, (b + 1) * BlockRows);
            for (var i = b * BlockRows; i < end; i++)
            {
                if (core[i])
                {
                    continue;
                }
                neighbours.Clear();
                tree.Within(data.Row(i), radiusSquared, neighbours);
                var best = int.MaxValue;
                foreach (var j in neighbours)
                {
                    if (core[j] && labels[j] < best)
                    {
                        best = labels[j];
                    }
                }
                labels[i] = best == int.MaxValue ? -1 : best;
            }
            return neighbours;
        }, _ => { });
        return (labels, clusters);
    }

    private static int Find(int[] parent, int i)
    {
        while (parent[i] != i)
        {
            parent[i] = parent[parent[i]]; // path halving
            i = parent[i];
        }
        return i;
    }

    private static void Union(int[] parent, int a, int b)
    {
        var rootA = Find(parent, a);
        var rootB = Find(parent, b);
        if (rootA != rootB)
        {
            parent[Math.Max(rootA, rootB)] = Math.Min(rootA, rootB);
        }
    }
}
