namespace Distributed.Ml.Metrics;

/// <summary>Counts of (row label, column label) pairs over two labelings of the same items.</summary>
public sealed class ContingencyTable
{
    private ContingencyTable(int[] rowLabels, int[] columnLabels, long[,] counts)
    {
        RowLabels = rowLabels;
        ColumnLabels = columnLabels;
        Counts = counts;
    }

    /// <summary>Distinct values of the first labeling, ascending.</summary>
    public int[] RowLabels { get; }

    /// <summary>Distinct values of the second labeling, ascending.</summary>
    public int[] ColumnLabels { get; }

    /// <summary>Counts[i, j]: items labelled RowLabels[i] by the first and ColumnLabels[j] by the second.</summary>
    public long[,] Counts { get; }

    /// <summary>Total number of items.</summary>
    public long Total { get; private init; }

    /// <summary>Builds the table; both labelings must have the same length.</summary>
    public static ContingencyTable Build(ReadOnlySpan<int> first, ReadOnlySpan<int> second)
    {
        if (first.Length != second.Length)
        {
            throw new ArgumentException($"Labelings differ in length: {first.Length} and {second.Length}.");
        }
        var rows = Distinct(first);
        var columns = Distinct(second);
        var counts = new long[rows.Length, columns.Length];
        for (var i = 0; i < first.Length; i++)
        {
            counts[Array.BinarySearch(rows, first[i]), Array.BinarySearch(columns, second[i])]++;
        }
        return new ContingencyTable(rows, columns, counts) { Total = first.Length };
    }

    /// <summary>Row sums.</summary>
    public long[] RowSums()
    {
        var sums = new long[RowLabels.Length];
        for (var i = 0; i < sums.Length; i++)
        {
            for (var j = 0; j < ColumnLabels.Length; j++)
            {
                sums[i] += Counts[i, j];
            }
        }
        return sums;
    }

    /// <summary>Column sums.</summary>
    public long[] ColumnSums()
    {
        var sums = new long[ColumnLabels.Length];
        for (var i = 0; i < RowLabels.Length; i++)
        {
            for (var j = 0; j < sums.Length; j++)
            {
                sums[j] += Counts[i, j];
            }
        }
        return sums;
    }

    private static int[] Distinct(ReadOnlySpan<int> labels)
    {
        var set = new SortedSet<int>();
        foreach (var label in labels)
        {
            set.Add(label);
        }
        return [.. set];
    }
}
