using System.Runtime.CompilerServices;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// Greedy k-means++ seeding (Arthur &amp; Vassilvitskii 2007, with scikit-learn's 2 + ⌊ln k⌋
/// candidates per step, keeping the one that lowers the potential most). Deterministic for a given
/// <see cref="Rng"/>.
/// </summary>
/// <remarks>
/// Squared distances are Σ_j (x_j − y_j)² summed in float in dimension order
/// (<see cref="PackedCentres.DirectSquaredDistances"/>), so a row equal to a chosen centre weighs
/// exactly 0; all candidates of a step are measured in one pass over the rows. Potentials are
/// summed in row order in double, so the choice does not depend on the number of threads.
/// </remarks>
public static class KMeansPlusPlus
{
    private const int ChunkRows = 64;

    /// <summary>Chooses k initial centres among the rows of <paramref name="data"/>; returns them row-major k×d.</summary>
    public static float[] Choose(Matrix data, int k, Rng rng) => Choose(data, k, rng, parallel: true);

    /// <summary>
    /// <see cref="Choose(Matrix, int, Rng)"/>, measuring distances in parallel blocks or one block
    /// after the other (callers already running in parallel); the result is the same.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static float[] Choose(Matrix data, int k, Rng rng, bool parallel)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(rng);
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
        DistancesTo(data, new PackedCentres(centres.AsSpan(0, d), 1, d), [closest], null, parallel);
        var candidateDistances = new double[trials][];
        for (var t = 0; t < trials; t++)
        {
            candidateDistances[t] = new double[n];
        }
        var cumulative = new double[n];
        var candidates = new int[trials];
        var candidateRows = new float[trials * d];
        var packed = new PackedCentres(candidateRows, trials, d);

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
                data.Row(candidates[t]).CopyTo(candidateRows.AsSpan(t * d, d));
            }
            packed.Update(candidateRows);
            DistancesTo(data, packed, candidateDistances, closest, parallel);

            var best = -1;
            var bestPotential = double.PositiveInfinity;
            for (var t = 0; t < trials; t++)
            {
                var candidatePotential = 0.0;
                foreach (var distance in candidateDistances[t])
                {
                    candidatePotential += distance;
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

    /// <summary>
    /// destination[t][i] = squared distance from row i to packed centre t, or the smaller
    /// <paramref name="cap"/>[i] when given. Elementwise, so the blocks may run in any order.
    /// </summary>
    private static void DistancesTo(Matrix data, PackedCentres packed, double[][] destination, double[]? cap, bool parallel)
    {
        var blocks = (data.Rows + NearestCentre.BlockRows - 1) / NearestCentre.BlockRows;
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        void Block(int b)
        {
            var start = b * NearestCentre.BlockRows;
            var end = Math.Min(data.Rows, start + NearestCentre.BlockRows);
            var lanes = packed.Lanes;
            Span<int> rows = stackalloc int[ChunkRows];
            var distances = lanes <= 64 ? stackalloc float[ChunkRows * 64] : new float[ChunkRows * lanes];
            for (var first = start; first < end; first += ChunkRows)
            {
                var count = Math.Min(ChunkRows, end - first);
                for (var r = 0; r < count; r++)
                {
                    rows[r] = first + r;
                }
                packed.DirectSquaredDistances(data.Data, rows[..count], distances);
                for (var t = 0; t < packed.Count; t++)
                {
                    var target = destination[t];
                    for (var r = 0; r < count; r++)
                    {
                        double distance = distances[r * lanes + t];
                        target[first + r] = cap is null ? distance : Math.Min(distance, cap[first + r]);
                    }
                }
            }
        }
        if (parallel)
        {
            Parallel.For(0, blocks, Block);
        }
        else
        {
            for (var b = 0; b < blocks; b++)
            {
                Block(b);
            }
        }
    }
}
