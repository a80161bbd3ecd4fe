using Distributed.Ml.Metrics;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Refinement;

/// <summary>
/// Picks the images whose cluster label is most likely right: in each cluster, the given share of
/// its members that sit deepest inside it.
/// </summary>
/// <remarks>
/// Depth is a row's centroid margin (<see cref="CentroidMargins"/>) in the space the clusters were found in, relative to its distances:
/// (d_other − d_own) / max(d_own, d_other), where d_own is the distance to its cluster's centroid
/// and d_other to the nearest other centroid — the silhouette with centroids for clusters, in
/// [−1, 1]. It needs only the labels, so it applies to every clustering method alike (a
/// mixture's posteriors saturate at 1 on a tight embedding and cannot rank its members). A row
/// with a margin ≤ 0 lies nearer another cluster and is never picked. Taking the same share of
/// every cluster keeps the clusters' proportions, so no cluster can crowd another out of the
/// training set; noise rows (label −1) are never picked.
/// </remarks>
public static class ConfidentSelection
{
    /// <summary>The picked rows, ascending.</summary>
    /// <param name="embedded">The rows the clusters were found in.</param>
    /// <param name="labels">Cluster of each row, −1 for noise.</param>
    /// <param name="clusters">Number of clusters (labels lie in [0, clusters)).</param>
    /// <param name="share">Share of each cluster to pick, in (0, 1].</param>
    public static int[] Choose(Matrix embedded, ReadOnlySpan<int> labels, int clusters, double share)
    {
        ArgumentNullException.ThrowIfNull(embedded);
        ArgumentOutOfRangeException.ThrowIfLessThan(clusters, 2);
        if (!(share is > 0 and <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(share), $"The confident share must be in (0, 1], got {share}.");
        }
        if (labels.Length != embedded.Rows)
        {
            throw new ArgumentException($"{labels.Length} labels for {embedded.Rows} rows.", nameof(labels));
        }
        var margins = RelativeMargins(embedded, labels);
        var members = new List<int>[clusters];
        for (var c = 0; c < clusters; c++)
        {
            members[c] = [];
        }
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] >= clusters)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), $"Label {labels[i]} is outside 0..{clusters - 1}.");
            }
            if (labels[i] >= 0)
            {
                members[labels[i]].Add(i);
            }
        }
        var chosen = new List<int>();
        foreach (var cluster in members)
        {
            // Deepest first; the row index breaks ties so the choice is one for a seed.
            cluster.Sort((a, b) => margins[b] != margins[a] ? margins[b].CompareTo(margins[a]) : a.CompareTo(b));
            var take = (int)Math.Ceiling(share * cluster.Count);
            for (var j = 0; j < take && margins[cluster[j]] > 0; j++)
            {
                chosen.Add(cluster[j]);
            }
        }
        chosen.Sort();
        return [.. chosen];
    }

    /// <summary>Every row's margin relative to its distances, (d_other − d_own) / max(d_own, d_other); NaN for noise rows.</summary>
    public static double[] RelativeMargins(Matrix embedded, ReadOnlySpan<int> labels)
    {
        var (distance, margin) = CentroidMargins.Of(embedded, labels);
        var relative = new double[distance.Length];
        for (var i = 0; i < relative.Length; i++)
        {
            var other = (double)distance[i] + margin[i];
            var scale = Math.Max(distance[i], other);
            relative[i] = float.IsPositiveInfinity(margin[i]) ? 1 : scale > 0 ? margin[i] / scale : 0;
        }
        return relative;
    }
}
