namespace Distributed.Ml.Metrics;

/// <summary>
/// Normalised mutual information with the arithmetic-mean normaliser, MI / ((H(U) + H(V)) / 2),
/// natural logarithms — scikit-learn's default <c>normalized_mutual_info_score</c>.
/// </summary>
public static class NormalizedMutualInformation
{
    /// <summary>NMI in [0, 1]; 1 when both labelings have a single identical class.</summary>
    public static double Score(ReadOnlySpan<int> trueLabels, ReadOnlySpan<int> clusters)
    {
        var table = ContingencyTable.Build(trueLabels, clusters);
        var rowSums = table.RowSums();
        var columnSums = table.ColumnSums();
        if (rowSums.Length == 1 && columnSums.Length == 1)
        {
            return 1.0;
        }
        double n = table.Total;
        var mutual = 0.0;
        for (var i = 0; i < rowSums.Length; i++)
        {
            for (var j = 0; j < columnSums.Length; j++)
            {
                var count = table.Counts[i, j];
                if (count > 0)
                {
                    mutual += count / n * Math.Log(count * n / ((double)rowSums[i] * columnSums[j]));
                }
            }
        }
        var normaliser = (Entropy(rowSums, n) + Entropy(columnSums, n)) / 2;
        return normaliser <= 0 ? 0.0 : Math.Max(0.0, mutual) / normaliser;
    }

    private static double Entropy(long[] counts, double total)
    {
        var entropy = 0.0;
        foreach (var count in counts)
        {
            if (count > 0)
            {
                var p = count / total;
                entropy -= p * Math.Log(p);
            }
        }
        return entropy;
    }
}
