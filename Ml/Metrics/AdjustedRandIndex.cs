namespace Distributed.Ml.Metrics;

/// <summary>Adjusted Rand index (Hubert &amp; Arabie 1985): pair agreement corrected for chance; 1 for identical partitions.</summary>
public static class AdjustedRandIndex
{
    /// <summary>ARI in [−0.5, 1].</summary>
    public static double Score(ReadOnlySpan<int> first, ReadOnlySpan<int> second)
    {
        var table = ContingencyTable.Build(first, second);
        var sumCells = 0.0;
        foreach (var count in table.Counts)
        {
            sumCells += Pairs(count);
        }
        var sumRows = 0.0;
        foreach (var count in table.RowSums())
        {
            sumRows += Pairs(count);
        }
        var sumColumns = 0.0;
        foreach (var count in table.ColumnSums())
        {
            sumColumns += Pairs(count);
        }
        var totalPairs = Pairs(table.Total);
        if (totalPairs == 0)
        {
            return 1.0;
        }
        var expected = sumRows * sumColumns / totalPairs;
        var maximum = (sumRows + sumColumns) / 2;
        // Both partitions trivial (all one cluster, or all singletons): identical, as scikit-learn says.
        return maximum == expected ? 1.0 : (sumCells - expected) / (maximum - expected);
    }

    private static double Pairs(long n) => n * (n - 1) / 2.0;
}
