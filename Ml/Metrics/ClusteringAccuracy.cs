namespace Distributed.Ml.Metrics;

/// <summary>
/// Unsupervised clustering accuracy: the share of items whose cluster, under the best one-to-one
/// mapping of clusters to classes (Hungarian algorithm), equals their true class.
/// </summary>
public static class ClusteringAccuracy
{
    /// <summary>Accuracy in [0, 1] after optimal matching; noise (−1) counts as a cluster of its own.</summary>
    public static double Score(ReadOnlySpan<int> trueLabels, ReadOnlySpan<int> clusters)
    {
        var table = ContingencyTable.Build(clusters, trueLabels);
        var rows = table.RowLabels.Length;
        var columns = table.ColumnLabels.Length;
        var transpose = rows > columns;
        var n = transpose ? columns : rows;
        var m = transpose ? rows : columns;
        var cost = new double[n, m];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < m; j++)
            {
                cost[i, j] = -(transpose ? table.Counts[j, i] : table.Counts[i, j]);
            }
        }
        var assignment = Hungarian.Solve(cost);
        long matched = 0;
        for (var i = 0; i < n; i++)
        {
            matched -= (long)cost[i, assignment[i]];
        }
        return table.Total == 0 ? 0 : (double)matched / table.Total;
    }
}
