using Distributed.Ml.Numerics;

namespace Distributed.Ml.Metrics;

/// <summary>
/// Trustworthiness of an embedding (Venna and Kaski 2001), as scikit-learn's
/// <c>sklearn.manifold.trustworthiness</c>: 1 − 2/(n·k·(2n − 3k − 1)) · Σ_i Σ_{j ∈ U_i} (r(i, j) − k),
/// where U_i are the k nearest neighbours of i in the embedding that are not among its k nearest in
/// the original space and r(i, j) is j's rank among i's neighbours there. 1 means no false neighbours.
/// </summary>
/// <remarks>
/// Euclidean in both spaces, distances in double precision, ties ranked by index. O(n²·(d + k))
/// time and O(n) memory per thread: score a sample of rows for large sets.
/// </remarks>
public static class Trustworthiness
{
    /// <summary>scikit-learn's default neighbourhood size.</summary>
    public const int DefaultNeighbors = 5;

    /// <summary>Trustworthiness in [0, 1] of <paramref name="embedded"/> as a representation of <paramref name="original"/>.</summary>
    public static double Score(Matrix original, Matrix embedded, int neighbors = DefaultNeighbors)
    {
        ArgumentNullException.ThrowIfNull(original);
        ArgumentNullException.ThrowIfNull(embedded);
        var n = original.Rows;
        if (embedded.Rows != n)
        {
            throw new ArgumentException($"{embedded.Rows} embedded rows for {n} original rows.", nameof(embedded));
        }
        if (neighbors < 1 || neighbors >= n / 2.0)
        {
            throw new ArgumentOutOfRangeException(nameof(neighbors), $"Neighbours must be at least 1 and below n/2 = {n / 2.0}, got {neighbors}.");
        }
        var penalties = new long[n];
        Parallel.For(0, n, () => (new double[n], new double[n], new int[n]), (i, _, buffers) =>
        {
            var (originalDistances, embeddedDistances, order) = buffers;
            SquaredDistances(original, i, originalDistances);
            SquaredDistances(embedded, i, embeddedDistances);
            originalDistances[i] = double.PositiveInfinity;
            embeddedDistances[i] = double.PositiveInfinity;
            for (var j = 0; j < n; j++)
            {
                order[j] = j;
            }
            // The k nearest in the embedding (ties by index), then each one's rank in the original space.
            Array.Sort(order, (x, y) => embeddedDistances[x] != embeddedDistances[y] ? embeddedDistances[x].CompareTo(embeddedDistances[y]) : x.CompareTo(y));
            long penalty = 0;
            for (var t = 0; t < neighbors; t++)
            {
                var j = order[t];
                var rank = 1;
                for (var l = 0; l < n; l++)
                {
                    if (originalDistances[l] < originalDistances[j] || (originalDistances[l] == originalDistances[j] && l < j))
                    {
                        rank++;
                    }
                }
                penalty += Math.Max(0, rank - neighbors);
            }
            penalties[i] = penalty;
            return buffers;
        }, _ => { });
        long sum = 0;
        foreach (var penalty in penalties)
        {
            sum += penalty;
        }
        return 1.0 - sum * (2.0 / (n * (double)neighbors * (2.0 * n - 3.0 * neighbors - 1.0)));
    }

    private static void SquaredDistances(Matrix data, int i, double[] distances)
    {
        var row = data.Row(i);
        for (var j = 0; j < data.Rows; j++)
        {
            var other = data.Row(j);
            var sum = 0.0;
            for (var c = 0; c < row.Length; c++)
            {
                var delta = (double)row[c] - other[c];
                sum += delta * delta;
            }
            distances[j] = sum;
        }
    }
}
