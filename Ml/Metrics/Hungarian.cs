namespace Distributed.Ml.Metrics;

/// <summary>
/// Optimal assignment (Kuhn–Munkres with potentials, O(n²m)): the one-to-one matching of rows to
/// columns with the smallest total cost. Exact and deterministic.
/// </summary>
public static class Hungarian
{
    /// <summary>
    /// For a rows×columns cost matrix with rows ≤ columns, the column assigned to each row.
    /// A matrix with more rows than columns is solved on its transpose by the caller.
    /// </summary>
    public static int[] Solve(double[,] cost)
    {
        ArgumentNullException.ThrowIfNull(cost);
        var n = cost.GetLength(0);
        var m = cost.GetLength(1);
        if (n > m)
        {
            throw new ArgumentException($"Needs rows ≤ columns, got {n}×{m}.", nameof(cost));
        }
        // 1-based potentials u (rows), v (columns); match[j] = row matched to column j (0 = none).
        var u = new double[n + 1];
        var v = new double[m + 1];
        var match = new int[m + 1];
        var way = new int[m + 1];
        for (var row = 1; row <= n; row++)
        {
            match[0] = row;
            var column = 0;
            var minimum = new double[m + 1];
            Array.Fill(minimum, double.PositiveInfinity);
            var used = new bool[m + 1];
            do
            {
                used[column] = true;
                var currentRow = match[column];
                var delta = double.PositiveInfinity;
                var next = 0;
                for (var j = 1; j <= m; j++)
                {
                    if (used[j])
                    {
                        continue;
                    }
                    var reduced = cost[currentRow - 1, j - 1] - u[currentRow] - v[j];
                    if (reduced < minimum[j])
                    {
                        minimum[j] = reduced;
                        way[j] = column;
                    }
                    if (minimum[j] < delta)
                    {
                        delta = minimum[j];
                        next = j;
                    }
                }
                for (var j = 0; j <= m; j++)
                {
                    if (used[j])
                    {
                        u[match[j]] += delta;
                        v[j] -= delta;
                    }
                    else
                    {
                        minimum[j] -= delta;
                    }
                }
                column = next;
            } while (match[column] != 0);
            do
            {
                var previous = way[column];
                match[column] = match[previous];
                column = previous;
            } while (column != 0);
        }
        var assignment = new int[n];
        for (var j = 1; j <= m; j++)
        {
            if (match[j] != 0)
            {
                assignment[match[j] - 1] = j - 1;
            }
        }
        return assignment;
    }
}
