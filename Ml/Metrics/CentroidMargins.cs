using Distributed.Ml.Numerics;

namespace Distributed.Ml.Metrics;

/// <summary>
/// How typical each row is of its cluster, whatever the clustering method: its distance to its own
/// cluster's centroid, and its margin, how much farther the nearest other centroid is. A small
/// distance marks a typical member; a margin near zero, a row the clustering nearly put elsewhere.
/// Centroids are the means of the given rows. Deterministic.
/// </summary>
public static class CentroidMargins
{
    /// <summary>Distance to the own centroid and margin to the next nearest, per row; NaN for noise rows (label −1).</summary>
    /// <param name="rows">The rows, in the space the distances are measured in.</param>
    /// <param name="labels">Cluster of each row, −1 for noise.</param>
    public static (float[] Distance, float[] Margin) Of(Matrix rows, ReadOnlySpan<int> labels)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var means = ClusterMeans.Compute(rows, labels);
        var clusters = means.Labels.Length;
        var d = rows.Cols;
        var centroids = Array.ConvertAll(means.Centroids, c => (float)c);
        var distance = new float[rows.Rows];
        var margin = new float[rows.Rows];
        for (var i = 0; i < rows.Rows; i++)
        {
            var own = means.IndexOf(labels[i]);
            if (own < 0)
            {
                distance[i] = float.NaN;
                margin[i] = float.NaN;
                continue;
            }
            var row = rows.Row(i);
            var ownDistance = 0f;
            var nearestOther = float.PositiveInfinity;
            for (var c = 0; c < clusters; c++)
            {
                var euclidean = System.Numerics.Tensors.TensorPrimitives.Distance(row, centroids.AsSpan(c * d, d));
                if (c == own)
                {
                    ownDistance = euclidean;
                }
                else if (euclidean < nearestOther)
                {
                    nearestOther = euclidean;
                }
            }
            distance[i] = ownDistance;
            margin[i] = clusters > 1 ? nearestOther - ownDistance : float.PositiveInfinity;
        }
        return (distance, margin);
    }
}
