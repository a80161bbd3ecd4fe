using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// k-means by Lloyd's algorithm with greedy k-means++ seeding and restarts.
/// </summary>
/// <remarks>
/// Each iteration is the distributed template: assign rows to the nearest centre, accumulate
/// <see cref="KMeansStatistics"/> per block, reduce in block order, move centres to the means.
/// Empty clusters are re-seeded with the rows farthest from their centres (as scikit-learn does).
/// Labels come from a final assignment pass, so they equal <see cref="KMeansModel.Predict"/>.
/// Deterministic for a given seed, whatever the number of threads.
/// </remarks>
public static class KMeans
{
    /// <summary>Fits k-means to the rows of <paramref name="data"/>.</summary>
    public static KMeansResult Fit(Matrix data, KMeansOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        Validate(data, options.Clusters, options.Restarts, options.MaxIterations, options.Tolerance);

        var tolerance = options.Tolerance * MeanFeatureVariance(data);
        KMeansModel? best = null;
        for (var restart = 0; restart < options.Restarts; restart++)
        {
            var rng = Rng.Derive(options.Seed, RandomStreams.Restart, (ulong)restart);
            var model = Lloyd(data, options.Clusters, KMeansPlusPlus.Choose(data, options.Clusters, rng), options.MaxIterations, tolerance);
            if (best is null || model.Inertia < best.Inertia)
            {
                best = model;
            }
        }

        var labels = new int[data.Rows];
        var inertia = NearestCentre.Assign(data, best!.Centres, best.ClusterCount, labels, new float[data.Rows]);
        var final = new KMeansModel(best.Centres, best.ClusterCount, best.Dimension, inertia, best.Iterations, best.Converged);
        return new KMeansResult(final, labels);
    }

    /// <summary>Lloyd iterations from the given centres (modified in place).</summary>
    internal static KMeansModel Lloyd(Matrix data, int k, float[] centres, int maxIterations, double tolerance)
    {
        var labels = new int[data.Rows];
        var distances = new float[data.Rows];
        var previous = new float[centres.Length];
        var iterations = 0;
        var converged = false;
        double inertia = 0;
        while (iterations < maxIterations)
        {
            iterations++;
            NearestCentre.Assign(data, centres, k, labels, distances);
            var stats = KMeansStatistics.Compute(data, k, labels, distances);
            inertia = stats.Inertia;
            centres.CopyTo(previous, 0);
            stats.WriteMeans(centres);
            RelocateEmptyClusters(data, stats.Counts, distances, centres);
            if (SquaredShift(previous, centres) <= tolerance)
            {
                converged = true;
                break;
            }
        }
        return new KMeansModel(centres, k, data.Cols, inertia, iterations, converged);
    }

    internal static void Validate(Matrix data, int clusters, int restarts, int maxIterations, double tolerance)
    {
        if (clusters < 1 || clusters > data.Rows)
        {
            throw new ArgumentOutOfRangeException(nameof(clusters), $"Clusters must be in 1..{data.Rows} (the number of rows), got {clusters}.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(restarts, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxIterations, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(tolerance);
    }

    /// <summary>Mean per-feature variance of the rows: k-means' tolerance is relative to it (as scikit-learn's).</summary>
    public static double MeanFeatureVariance(Matrix data)
    {
        var d = data.Cols;
        var sum = new double[d];
        var sumSquares = new double[d];
        for (var i = 0; i < data.Rows; i++)
        {
            var row = data.Row(i);
            for (var j = 0; j < d; j++)
            {
                sum[j] += row[j];
                sumSquares[j] += (double)row[j] * row[j];
            }
        }
        var total = 0.0;
        for (var j = 0; j < d; j++)
        {
            var mean = sum[j] / data.Rows;
            total += Math.Max(0.0, sumSquares[j] / data.Rows - mean * mean);
        }
        return total / d;
    }

    private static double SquaredShift(float[] before, float[] after)
    {
        var shift = 0.0;
        for (var i = 0; i < before.Length; i++)
        {
            var delta = (double)after[i] - before[i];
            shift += delta * delta;
        }
        return shift;
    }

    /// <summary>Moves each empty cluster's centre onto a distinct row among those farthest from their centres.</summary>
    private static void RelocateEmptyClusters(Matrix data, long[] counts, float[] distances, float[] centres)
    {
        var empty = 0;
        foreach (var count in counts)
        {
            empty += count == 0 ? 1 : 0;
        }
        if (empty == 0)
        {
            return;
        }
        var order = new int[data.Rows];
        for (var i = 0; i < order.Length; i++)
        {
            order[i] = i;
        }
        // Farthest first; ties broken by row index so the choice is deterministic.
        Array.Sort(order, (a, b) => distances[b] != distances[a] ? distances[b].CompareTo(distances[a]) : a.CompareTo(b));
        var next = 0;
        for (var c = 0; c < counts.Length; c++)
        {
            if (counts[c] == 0)
            {
                data.Row(order[next++]).CopyTo(centres.AsSpan(c * data.Cols, data.Cols));
            }
        }
    }
}
