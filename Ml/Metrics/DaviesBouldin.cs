using Distributed.Ml.Numerics;

namespace Distributed.Ml.Metrics;

/// <summary>
/// Davies–Bouldin index (1979): mean over clusters of the worst ratio (sᵢ + sⱼ) / d(cᵢ, cⱼ), where s
/// is the mean distance of members to their centroid. Lower is better; noise (−1) is ignored.
/// </summary>
public static class DaviesBouldin
{
    /// <summary>The index; 0 with fewer than two clusters.</summary>
    public static double Score(Matrix data, ReadOnlySpan<int> labels)
    {
        var means = ClusterMeans.Compute(data, labels);
        var k = means.Labels.Length;
        if (k < 2)
        {
            return 0;
        }
        var scatter = new double[k];
        for (var i = 0; i < data.Rows; i++)
        {
            var c = means.IndexOf(labels[i]);
            if (c >= 0)
            {
                scatter[c] += Math.Sqrt(means.SquaredDistance(data.Row(i), c));
            }
        }
        for (var c = 0; c < k; c++)
        {
            scatter[c] /= means.Counts[c];
        }
        var total = 0.0;
        for (var i = 0; i < k; i++)
        {
            var worst = 0.0;
            for (var j = 0; j < k; j++)
            {
                if (i == j)
                {
                    continue;
                }
                var separation = CentroidDistance(means, i, j);
                var ratio = separation == 0 ? double.PositiveInfinity : (scatter[i] + scatter[j]) / separation;
                worst = Math.Max(worst, ratio);
            }
            total += worst;
        }
        return total / k;
    }

    private static double CentroidDistance(ClusterMeans means, int a, int b)
    {
        var sum = 0.0;
        for (var j = 0; j < means.Dimension; j++)
        {
            var delta = means.Centroids[a * means.Dimension + j] - means.Centroids[b * means.Dimension + j];
            sum += delta * delta;
        }
        return Math.Sqrt(sum);
    }
}
