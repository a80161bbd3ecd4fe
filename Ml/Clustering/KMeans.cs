using System.Runtime.CompilerServices;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// k-means by Lloyd's algorithm with greedy k-means++ seeding and restarts.
/// </summary>
/// <remarks>
/// Each iteration follows the distributed template: assign rows to the nearest centre
/// (<see cref="NearestCentre"/>), accumulate <see cref="KMeansStatistics"/> per block, reduce in
/// block order, move centres to the means. Locally it runs with Hamerly's bounds
/// (<see cref="HamerlyLloyd"/>), which skip the distances that cannot change an assignment, so the
/// labels and centres are the template's. Empty clusters are re-seeded with the rows farthest from
/// their centres (as scikit-learn does). Labels come from a final assignment pass, so they equal
/// <see cref="KMeansModel.Predict"/>. Restarts run in parallel, each on one thread and seeded from
/// (seed, restart) alone; the lowest inertia wins, ties to the earlier restart. Deterministic for a
/// given seed, whatever the number of threads.
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
        var rowSquaredNorms = NearestCentre.RowSquaredNorms(data.Data, data.Rows, data.Cols);
        var models = new KMeansModel[options.Restarts];
        // Whole restarts per thread: an iteration with bounds is too short to split across threads.
        // A single restart splits its row blocks instead; the result is the same either way.
        var parallelRestarts = options.Restarts > 1;
        void Restart(int restart)
        {
            var rng = Rng.Derive(options.Seed, RandomStreams.Restart, (ulong)restart);
            var centres = KMeansPlusPlus.Choose(data, options.Clusters, rng, parallel: !parallelRestarts);
            models[restart] = HamerlyLloyd.Fit(data, options.Clusters, centres, options.MaxIterations, tolerance, rowSquaredNorms, parallel: !parallelRestarts);
        }
        if (parallelRestarts)
        {
            // No more workers than cores: a restart is long, and the pool would otherwise add threads.
            Parallel.For(0, options.Restarts, new ParallelOptions { MaxDegreeOfParallelism = Environment.ProcessorCount }, Restart);
        }
        else
        {
            Restart(0);
        }
        var best = models[0];
        foreach (var model in models)
        {
            if (model.Inertia < best.Inertia)
            {
                best = model;
            }
        }

        var labels = new int[data.Rows];
        var inertia = NearestCentre.Assign(data, best.Centres, best.ClusterCount, labels, new float[data.Rows], parallel: true, rowSquaredNorms);
        var final = new KMeansModel(best.Centres, best.ClusterCount, best.Dimension, inertia, best.Iterations, best.Converged);
        return new KMeansResult(final, labels);
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
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
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

    /// <summary>Squared Euclidean distance between two centre sets, summed in index order.</summary>
    internal static double SquaredShift(float[] before, float[] after)
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
    internal static void RelocateEmptyClusters(Matrix data, long[] counts, float[] distances, float[] centres)
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
