using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// Hierarchical agglomerative clustering cut into k clusters, like scikit-learn's
/// <c>AgglomerativeClustering(n_clusters=k, linkage=…)</c>: Ward by the nearest-neighbour chain over
/// centroids (<see cref="WardChain"/>), average and complete over a condensed distance matrix
/// (<see cref="MatrixChain"/>). The merges are sorted by distance and the first n − k applied.
/// </summary>
/// <remarks>
/// Exact up to <see cref="AgglomerativeOptions.MaxExactRows"/> rows. Above that the tree is built on
/// a seeded sample of that many rows (scikit-learn has no such mode; its memory would grow as n²)
/// and every other row joins the nearest cluster centroid; <see cref="AgglomerativeModel.TreeRows"/>
/// says how many rows the tree saw. Cluster ids are numbered in order of each cluster's first row,
/// so they are the same partition as scikit-learn's but not always the same numbers. Deterministic
/// for a seed, whatever the number of threads.
/// </remarks>
public static class Agglomerative
{
    /// <summary>Clusters the rows of <paramref name="data"/>.</summary>
    public static AgglomerativeResult Fit(Matrix data, AgglomerativeOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxExactRows, 2, nameof(options.MaxExactRows));
        var treeRows = Math.Min(data.Rows, options.MaxExactRows);
        if (options.Clusters < 1 || options.Clusters > treeRows)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Clusters must be in 1..{treeRows} (the rows clustered exactly), got {options.Clusters}.");
        }
        if (!Enum.IsDefined(options.Linkage))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Unknown linkage {options.Linkage}.");
        }

        var sampled = data.Rows > options.MaxExactRows
            ? Rng.Derive(options.Seed, RandomStreams.Subsample).SampleWithoutReplacement(data.Rows, options.MaxExactRows)
            : null;
        var tree = sampled is null ? data : data.SelectRows(sampled);
        var merges = options.Linkage == Linkage.Ward ? WardChain.Run(tree) : MatrixChain.Run(tree, options.Linkage);
        var treeLabels = Cut(merges, tree.Rows, options.Clusters);
        var centroids = Centroids(tree, treeLabels, options.Clusters);
        var model = new AgglomerativeModel(centroids, options.Clusters, data.Cols, options.Linkage, tree.Rows);

        if (sampled is null)
        {
            return new AgglomerativeResult(model, treeLabels);
        }
        var labels = model.Predict(data);
        for (var i = 0; i < sampled.Length; i++)
        {
            labels[sampled[i]] = treeLabels[i];
        }
        return new AgglomerativeResult(model, labels);
    }

    /// <summary>
    /// Applies the <paramref name="rows"/> − <paramref name="clusters"/> closest merges (sorted by
    /// distance, chain order on ties) and numbers the resulting clusters by their first row.
    /// </summary>
    internal static int[] Cut(Merge[] merges, int rows, int clusters)
    {
        var order = new int[merges.Length];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        Array.Sort(order, (x, y) => merges[x].Distance != merges[y].Distance ? merges[x].Distance.CompareTo(merges[y].Distance) : x.CompareTo(y));
        var parent = new int[rows];
        for (var i = 0; i < rows; i++)
        {
            parent[i] = i;
        }
        for (var m = 0; m < rows - clusters; m++)
        {
            var merge = merges[order[m]];
            var a = Find(parent, merge.A);
            var b = Find(parent, merge.B);
            parent[Math.Max(a, b)] = Math.Min(a, b);
        }
        var labels = new int[rows];
        var idOfRoot = new int[rows];
        Array.Fill(idOfRoot, -1);
        var next = 0;
        for (var i = 0; i < rows; i++)
        {
            var root = Find(parent, i);
            if (idOfRoot[root] < 0)
            {
                idOfRoot[root] = next++;
            }
            labels[i] = idOfRoot[root];
        }
        return labels;
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

    private static float[] Centroids(Matrix rows, int[] labels, int clusters)
    {
        var d = rows.Cols;
        var sums = new double[clusters * d];
        var counts = new long[clusters];
        for (var i = 0; i < rows.Rows; i++)
        {
            var c = labels[i];
            counts[c]++;
            var row = rows.Row(i);
            for (var j = 0; j < d; j++)
            {
                sums[c * d + j] += row[j];
            }
        }
        var centroids = new float[clusters * d];
        for (var c = 0; c < clusters; c++)
        {
            for (var j = 0; j < d; j++)
            {
                centroids[c * d + j] = (float)(sums[c * d + j] / counts[c]);
            }
        }
        return centroids;
    }
}
