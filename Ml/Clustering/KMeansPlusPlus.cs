using System.Numerics.Tensors;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// Greedy k-means++ seeding (Arthur &amp; Vassilvitskii 2007, with scikit-learn's 2 + ⌊ln k⌋
/// candidates per step, keeping the one that lowers the potential most). Deterministic for a given
/// <see cref="Rng"/>.
/// </summary>
public static class KMeansPlusPlus
{
    /// <summary>Chooses k initial centres among the rows of <paramref name="data"/>; returns them row-major k×d.</summary>
    public static float[] Choose(Matrix data, int k, Rng rng)
    {
        var n = data.Rows;
        var d = data.Cols;
        if (k > n)
        {
            throw new ArgumentException($"Cannot choose {k} centres from {n} rows.", nameof(k));
        }
        var trials = 2 + (int)Math.Log(k);
        var centres = new float[k * d];
        var first = rng.NextInt(n);
        data.Row(first).CopyTo(centres.AsSpan(0, d));

        var closest = new double[n];
        DistancesTo(data, data.Row(first), closest);
        var candidateDistances = new double[trials][];
        for (var t = 0; t < trials; t++)
        {
            candidateDistances[t] = new double[n];
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
                var target = rng.NextDouble() * potential;
                var index = Array.BinarySearch(cumulative, target);
                index = index < 0 ? ~index : index;
                candidates[t] = Math.Min(index, n - 1);
            }

            var best = -1;
            var bestPotential = double.PositiveInfinity;
            for (var t = 0; t < trials; t++)
            {
                var distances = candidateDistances[t];
                DistancesTo(data, data.Row(candidates[t]), distances);
                var candidatePotential = 0.0;
                for (var i = 0; i < n; i++)
                {
                    distances[i] = Math.Min(distances[i], closest[i]);
                    candidatePotential += distances[i];
                }
                if (candidatePotential < bestPotential)
                {
                    bestPotential = candidatePotential;
                    best = t;
                }
            }
            candidateDistances[best].CopyTo(closest, 0);
            data.Row(candidates[best]).CopyTo(centres.AsSpan(c * d, d));
        }
        return centres;
    }

    private static void DistancesTo(Matrix data, ReadOnlySpan<float> centre, double[] destination)
    {
        var centreCopy = centre.ToArray();
        Parallel.For(0, (data.Rows + NearestCentre.BlockRows - 1) / NearestCentre.BlockRows, b =>
        {
            var start = b * NearestCentre.BlockRows;
            var end = Math.Min(data.Rows, start + NearestCentre.BlockRows);
            for (var i = start; i < end; i++)
            {
                var distance = TensorPrimitives.Distance(data.Row(i), centreCopy);
                destination[i] = (double)distance * distance;
            }
        });
    }
}
