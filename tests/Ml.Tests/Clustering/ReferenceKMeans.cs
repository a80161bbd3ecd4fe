using Distributed.Ml.Clustering;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Clustering;

/// <summary>
/// Plain, slow k-means written for checking the fast paths: scalar loops in the same float and
/// double operations (so results match bit for bit where the fast code promises it), and Lloyd as
/// the distributed template (assign every row, <see cref="KMeansStatistics"/> per block, reduce in
/// block order) without bounds.
/// </summary>
internal static class ReferenceKMeans
{
    /// <summary>‖x‖² − 2·(Σ_j x_j c_j in float, in order) + ‖c‖², as the kernel computes it.</summary>
    public static float ExpandedDistance(ReadOnlySpan<float> row, float rowNorm, ReadOnlySpan<float> centre, float centreNorm)
    {
        var dot = 0f;
        for (var j = 0; j < row.Length; j++)
        {
            dot += row[j] * centre[j];
        }
        return rowNorm - 2f * dot + centreNorm;
    }

    /// <summary>Σ_j (x_j − c_j)² in float, in order.</summary>
    public static float DirectDistance(ReadOnlySpan<float> row, ReadOnlySpan<float> centre)
    {
        var sum = 0f;
        for (var j = 0; j < row.Length; j++)
        {
            var delta = row[j] - centre[j];
            sum += delta * delta;
        }
        return sum;
    }

    /// <summary>Nearest centre of every row by a plain scan (ties to the lower index); returns the inertia as <see cref="NearestCentre.Assign(Matrix, float[], int, int[], float[])"/> sums it.</summary>
    public static double Assign(Matrix data, float[] centres, int k, int[] labels, float[] distances)
    {
        var d = data.Cols;
        var centreNorms = NearestCentre.RowSquaredNorms(centres, k, d);
        var rowNorms = NearestCentre.RowSquaredNorms(data.Data, data.Rows, d);
        var inertia = 0.0;
        for (var start = 0; start < data.Rows; start += NearestCentre.BlockRows)
        {
            var block = 0.0;
            for (var i = start; i < Math.Min(data.Rows, start + NearestCentre.BlockRows); i++)
            {
                var best = 0;
                var bestDistance = float.PositiveInfinity;
                for (var c = 0; c < k; c++)
                {
                    var distance = ExpandedDistance(data.Row(i), rowNorms[i], centres.AsSpan(c * d, d), centreNorms[c]);
                    if (distance < bestDistance)
                    {
                        bestDistance = distance;
                        best = c;
                    }
                }
                labels[i] = best;
                distances[i] = MathF.Max(0f, bestDistance);
                block += distances[i];
            }
            inertia += block;
        }
        return inertia;
    }

    /// <summary>Greedy k-means++ as <see cref="KMeansPlusPlus"/> specifies it, one candidate and one row at a time.</summary>
    public static float[] KMeansPlusPlus(Matrix data, int k, Rng rng)
    {
        var n = data.Rows;
        var d = data.Cols;
        var trials = 2 + (int)Math.Log(k);
        var centres = new float[k * d];
        var first = rng.NextInt(n);
        data.Row(first).CopyTo(centres.AsSpan(0, d));
        var closest = new double[n];
        for (var i = 0; i < n; i++)
        {
            closest[i] = DirectDistance(data.Row(i), data.Row(first));
        }
        var cumulative = new double[n];
        var candidates = new int[trials];
        for (var c = 1; c < k; c++)
        {
            var potential = 0.0;
            for (var i = 0; i < n; i++)
            {
                potential += closest[i];
                cumulative[i] = potential;
            }
            for (var t = 0; t < trials; t++)
            {
                var index = Array.BinarySearch(cumulative, rng.NextDouble() * potential);
                candidates[t] = Math.Min(index < 0 ? ~index : index, n - 1);
            }
            double[]? best = null;
            var bestPotential = double.PositiveInfinity;
            var bestCandidate = -1;
            foreach (var candidate in candidates)
            {
                var distances = new double[n];
                var candidatePotential = 0.0;
                for (var i = 0; i < n; i++)
                {
                    distances[i] = Math.Min(DirectDistance(data.Row(i), data.Row(candidate)), closest[i]);
                    candidatePotential += distances[i];
                }
                if (candidatePotential < bestPotential)
                {
                    (best, bestPotential, bestCandidate) = (distances, candidatePotential, candidate);
                }
            }
            best!.CopyTo(closest, 0);
            data.Row(bestCandidate).CopyTo(centres.AsSpan(c * d, d));
        }
        return centres;
    }

    /// <summary>Plain Lloyd from the given centres (modified in place): every row every iteration.</summary>
    public static KMeansModel Lloyd(Matrix data, int k, float[] centres, int maxIterations, double tolerance)
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
            Assign(data, centres, k, labels, distances);
            var stats = KMeansStatistics.Compute(data, k, labels, distances);
            inertia = stats.Inertia;
            centres.CopyTo(previous, 0);
            stats.WriteMeans(centres);
            KMeans.RelocateEmptyClusters(data, stats.Counts, distances, centres);
            if (KMeans.SquaredShift(previous, centres) <= tolerance)
            {
                converged = true;
                break;
            }
        }
        return new KMeansModel(centres, k, data.Cols, inertia, iterations, converged);
    }

    /// <summary>The whole fit: restarts one after the other, lowest inertia (first on ties), final assignment.</summary>
    public static KMeansResult Fit(Matrix data, KMeansOptions options)
    {
        var tolerance = options.Tolerance * KMeans.MeanFeatureVariance(data);
        KMeansModel? best = null;
        for (var restart = 0; restart < options.Restarts; restart++)
        {
            var rng = Rng.Derive(options.Seed, RandomStreams.Restart, (ulong)restart);
            var model = Lloyd(data, options.Clusters, KMeansPlusPlus(data, options.Clusters, rng), options.MaxIterations, tolerance);
            if (best is null || model.Inertia < best.Inertia)
            {
                best = model;
            }
        }
        var labels = new int[data.Rows];
        var inertia = Assign(data, best!.Centres, best.ClusterCount, labels, new float[data.Rows]);
        return new KMeansResult(new KMeansModel(best.Centres, best.ClusterCount, best.Dimension, inertia, best.Iterations, best.Converged), labels);
    }
}
