using Distributed.Ml.Numerics;

namespace Distributed.Ml.Metrics;

/// <summary>
/// Calinski–Harabasz index (1974): between-cluster dispersion over within-cluster dispersion, each
/// divided by its degrees of freedom. Higher is better; noise (−1) is ignored.
/// </summary>
public static class CalinskiHarabasz
{
    /// <summary>The index; 0 with fewer than two clusters or no within-cluster spread.</summary>
    public static double Score(Matrix data, ReadOnlySpan<int> labels)
    {
        var means = ClusterMeans.Compute(data, labels);
        var k = means.Labels.Length;
        var n = means.Total;
        if (k < 2 || n <= k)
        {
            return 0;
        }
        var within = 0.0;
        for (var i = 0; i < data.Rows; i++)
        {
            var c = means.IndexOf(labels[i]);
            if (c >= 0)
            {
                within += means.SquaredDistance(data.Row(i), c);
            }
        }
        var between = 0.0;
        for (var c = 0; c < k; c++)
        {
            var sum = 0.0;
            for (var j = 0; j < means.Dimension; j++)
            {
                var delta = means.Centroids[c * means.Dimension + j] - means.OverallMean[j];
                sum += delta * delta;
            }
            between += means.Counts[c] * sum;
        }
        return within == 0 ? 0 : between * (n - k) / (within * (k - 1));
    }
}
