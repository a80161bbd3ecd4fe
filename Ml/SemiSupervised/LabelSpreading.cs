using Distributed.Ml.Neighbors;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.SemiSupervised;

/// <summary>
/// Label spreading (Zhou et al. 2004) over a kNN graph, as scikit-learn's
/// <c>LabelSpreading(kernel='knn')</c>: <c>F ← α·S·F + (1 − α)·Y</c> until the summed absolute
/// change is below the tolerance, then each row takes its most probable class.
/// </summary>
/// <remarks>
/// <para>scikit-learn's graph, reproduced here: A is the directed kNN connectivity (row i has a 1
/// for each of its <c>n_neighbors − 1</c> nearest other rows; scikit-learn's own entry for the row
/// itself ends on the zeroed diagonal), d is A's in-degree (column sums), and
/// <c>S = D^{-1/2}·A·D^{-1/2}</c> with a zero diagonal (scipy's normalised Laplacian, negated;
/// a row no one lists as neighbour gets degree 1). Y is one-hot on known rows and 0 elsewhere;
/// the convergence test sums over all rows and classes, as scikit-learn's.</para>
/// <para>The kNN graph is exact below <see cref="NeighborSearch.ExactThreshold"/> rows (where the
/// result matches scikit-learn's up to distance ties) and NN-descent above. The iteration runs in
/// float64, row-parallel with a fixed reduction order, so the result is deterministic for a seed.
/// Cost per iteration is O(n·k·classes).</para>
/// </remarks>
public static class LabelSpreading
{
    /// <summary>Label marking a row whose class is unknown.</summary>
    public const int Unknown = -1;

    /// <summary>Spreads the known labels (<see cref="Unknown"/> elsewhere) of <paramref name="labels"/> over the rows of <paramref name="data"/>.</summary>
    public static LabelSpreadingResult Fit(Matrix data, int[] labels, LabelSpreadingOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(labels);
        ArgumentNullException.ThrowIfNull(options);
        if (labels.Length != data.Rows)
        {
            throw new ArgumentException($"{labels.Length} labels for {data.Rows} rows.", nameof(labels));
        }
        Validate(options, data.Rows);
        var classes = KnownClasses(labels);
        if (classes.Length == 0)
        {
            throw new ArgumentException("Label spreading needs at least one known label.", nameof(labels));
        }
        var graph = NeighborSearch.Build(data, options.Neighbors - 1, options.Seed);
        var weights = NormalisedWeights(graph);
        var n = data.Rows;
        var c = classes.Length;

        var initial = new double[n * c];
        for (var i = 0; i < n; i++)
        {
            if (labels[i] != Unknown)
            {
                initial[i * c + Array.BinarySearch(classes, labels[i])] = 1;
            }
        }
        var current = (double[])initial.Clone();
        var previous = new double[n * c];
        var next = new double[n * c];
        var rowChange = new double[n];
        var iterations = 0;
        var converged = false;
        var alpha = options.Alpha;
        for (; iterations < options.MaxIterations; iterations++)
        {
            if (TotalChange(current, previous, c, rowChange) < options.Tolerance)
            {
                converged = true;
                break;
            }
            Parallel.For(0, n, i => Step(graph, weights, current, initial, next, c, alpha, i));
            (previous, current, next) = (current, next, previous);
        }
        return Finish(current, classes, n, iterations, converged);
    }

    private static void Validate(LabelSpreadingOptions options, int rows)
    {
        if (options.Neighbors < 2 || options.Neighbors > rows)
        {
            throw new OptionsException($"label spreading neighbours must be in 2..{rows} (the row itself counts), got {options.Neighbors}");
        }
        if (options.Alpha is <= 0 or >= 1)
        {
            throw new OptionsException($"label spreading alpha must be in (0, 1), got {options.Alpha}");
        }
        if (options.MaxIterations < 1)
        {
            throw new OptionsException($"label spreading iterations must be at least 1, got {options.MaxIterations}");
        }
        if (!(options.Tolerance >= 0))
        {
            throw new OptionsException($"label spreading tolerance must be non-negative, got {options.Tolerance}");
        }
    }

    private static int[] KnownClasses(int[] labels)
    {
        var set = new SortedSet<int>();
        foreach (var label in labels)
        {
            if (label != Unknown)
            {
                set.Add(label);
            }
        }
        return [.. set];
    }

    /// <summary>Weight of each graph edge i → j: 1 / √(in-degree(i)·in-degree(j)), in the graph's layout.</summary>
    private static double[] NormalisedWeights(KnnGraph graph)
    {
        var degree = new double[graph.Count];
        foreach (var j in graph.Indices)
        {
            degree[j]++;
        }
        var scale = new double[graph.Count];
        for (var i = 0; i < scale.Length; i++)
        {
            scale[i] = 1 / Math.Sqrt(degree[i] == 0 ? 1 : degree[i]);
        }
        var weights = new double[graph.Indices.Length];
        for (var i = 0; i < graph.Count; i++)
        {
            var neighbors = graph.IndicesOf(i);
            for (var e = 0; e < neighbors.Length; e++)
            {
                weights[i * graph.Neighbors + e] = scale[i] * scale[neighbors[e]];
            }
        }
        return weights;
    }

    /// <summary>Row i of α·S·F + (1 − α)·Y.</summary>
    private static void Step(KnnGraph graph, double[] weights, double[] current, double[] initial, double[] next, int c, double alpha, int i)
    {
        var target = next.AsSpan(i * c, c);
        target.Clear();
        var neighbors = graph.IndicesOf(i);
        for (var e = 0; e < neighbors.Length; e++)
        {
            var w = weights[i * graph.Neighbors + e];
            var source = current.AsSpan(neighbors[e] * c, c);
            for (var k = 0; k < c; k++)
            {
                target[k] += w * source[k];
            }
        }
        var y = initial.AsSpan(i * c, c);
        for (var k = 0; k < c; k++)
        {
            target[k] = alpha * target[k] + (1 - alpha) * y[k];
        }
    }

    /// <summary>Σ|current − previous| over all entries, summed per row in parallel and then in row order (deterministic).</summary>
    private static double TotalChange(double[] current, double[] previous, int c, double[] rowChange)
    {
        Parallel.For(0, rowChange.Length, i =>
        {
            var sum = 0.0;
            for (var k = i * c; k < (i + 1) * c; k++)
            {
                sum += Math.Abs(current[k] - previous[k]);
            }
            rowChange[i] = sum;
        });
        var total = 0.0;
        foreach (var change in rowChange)
        {
            total += change;
        }
        return total;
    }

    private static LabelSpreadingResult Finish(double[] distributions, int[] classes, int n, int iterations, bool converged)
    {
        var c = classes.Length;
        var normalised = new Matrix(n, c);
        var result = new int[n];
        for (var i = 0; i < n; i++)
        {
            var row = distributions.AsSpan(i * c, c);
            var sum = 0.0;
            var best = 0;
            for (var k = 0; k < c; k++)
            {
                sum += row[k];
                best = row[k] > row[best] ? k : best;
            }
            var divisor = sum == 0 ? 1 : sum;
            var target = normalised.Row(i);
            for (var k = 0; k < c; k++)
            {
                target[k] = (float)(row[k] / divisor);
            }
            result[i] = classes[best];
        }
        return new LabelSpreadingResult(result, normalised, classes, iterations, converged);
    }
}
