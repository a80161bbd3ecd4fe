using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// Mini-batch k-means (Sculley 2010, "Web-scale k-means clustering") with scikit-learn's additions:
/// per-centre counts as learning rates, early stop on an exponentially smoothed batch inertia,
/// and reassignment of starving centres.
/// </summary>
/// <remarks>
/// Each step draws a batch (with replacement) from an <see cref="Rng"/> derived from the seed,
/// assigns it, and moves each centre to the running mean c ← (c·v + Σx)/(v + b).
/// Labels and inertia come from a final full assignment pass. Deterministic for a given seed.
/// </remarks>
public static class MiniBatchKMeans
{
    private const int ReassignEveryBatches = 10;

    /// <summary>Fits mini-batch k-means to the rows of <paramref name="data"/>.</summary>
    public static KMeansResult Fit(Matrix data, MiniBatchKMeansOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        KMeans.Validate(data, options.Clusters, options.Restarts, options.MaxEpochs, 0);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        var n = data.Rows;
        var d = data.Cols;
        var k = options.Clusters;
        var batchSize = Math.Min(options.BatchSize, n);
        var initSize = Math.Min(n, Math.Max(k, options.InitSize > 0 ? options.InitSize : 3 * batchSize));

        var centres = ChooseInitialCentres(data, options, initSize);
        var counts = new double[k];
        var rng = Rng.Derive(options.Seed, RandomStreams.MiniBatch);
        var steps = (int)Math.Min(int.MaxValue, (long)options.MaxEpochs * n / batchSize);
        var smoothing = Math.Min(1.0, batchSize * 2.0 / (n + 1));
        double? smoothedInertia = null;
        var bestInertia = double.PositiveInfinity;
        var sinceImprovement = 0;
        var batchIndices = new int[batchSize];
        var batch = new Matrix(batchSize, d);
        var batchLabels = new int[batchSize];
        var batchDistances = new float[batchSize];
        var step = 0;
        var converged = false;
        for (; step < steps; step++)
        {
            for (var i = 0; i < batchSize; i++)
            {
                batchIndices[i] = rng.NextInt(n);
                data.Row(batchIndices[i]).CopyTo(batch.Row(i));
            }
            var batchInertia = NearestCentre.Assign(batch, centres, k, batchLabels, batchDistances);
            var stats = KMeansStatistics.Compute(batch, k, batchLabels, batchDistances);
            UpdateCentres(centres, counts, stats);
            if ((step + 1) % ReassignEveryBatches == 0)
            {
                ReassignStarvingCentres(batch, centres, counts, options.ReassignmentRatio, rng);
            }

            var meanInertia = batchInertia / batchSize;
            smoothedInertia = smoothedInertia is { } previous ? previous * (1 - smoothing) + meanInertia * smoothing : meanInertia;
            if (smoothedInertia < bestInertia)
            {
                bestInertia = smoothedInertia.Value;
                sinceImprovement = 0;
            }
            else if (++sinceImprovement >= options.MaxNoImprovement)
            {
                converged = true;
                step++;
                break;
            }
        }

        var labels = new int[n];
        var inertia = NearestCentre.Assign(data, centres, k, labels, new float[n]);
        return new KMeansResult(new KMeansModel(centres, k, d, inertia, step, converged), labels);
    }

    private static float[] ChooseInitialCentres(Matrix data, MiniBatchKMeansOptions options, int initSize)
    {
        float[]? best = null;
        var bestInertia = double.PositiveInfinity;
        for (var restart = 0; restart < options.Restarts; restart++)
        {
            var rng = Rng.Derive(options.Seed, RandomStreams.Restart, (ulong)restart);
            var sample = data.SelectRows(rng.SampleWithoutReplacement(data.Rows, initSize));
            var centres = KMeansPlusPlus.Choose(sample, options.Clusters, rng);
            var inertia = NearestCentre.Assign(sample, centres, options.Clusters, new int[sample.Rows], new float[sample.Rows]);
            if (inertia < bestInertia)
            {
                bestInertia = inertia;
                best = centres;
            }
        }
        return best!;
    }

    private static void UpdateCentres(float[] centres, double[] counts, KMeansStatistics stats)
    {
        var d = stats.Dimension;
        for (var c = 0; c < counts.Length; c++)
        {
            var added = stats.Counts[c];
            if (added == 0)
            {
                continue;
            }
            var total = counts[c] + added;
            for (var j = 0; j < d; j++)
            {
                var index = c * d + j;
                centres[index] = (float)((centres[index] * counts[c] + stats.Sums[index]) / total);
            }
            counts[c] = total;
        }
    }

    private static void ReassignStarvingCentres(Matrix batch, float[] centres, double[] counts, double ratio, Rng rng)
    {
        var max = 0.0;
        foreach (var count in counts)
        {
            max = Math.Max(max, count);
        }
        var threshold = ratio * max;
        var minimumKept = double.PositiveInfinity;
        var starving = new List<int>();
        for (var c = 0; c < counts.Length; c++)
        {
            if (counts[c] < threshold)
            {
                starving.Add(c);
            }
            else
            {
                minimumKept = Math.Min(minimumKept, counts[c]);
            }
        }
        if (starving.Count == 0 || starving.Count > batch.Rows)
        {
            return;
        }
        var rows = rng.SampleWithoutReplacement(batch.Rows, starving.Count);
        rng.Shuffle<int>(rows);
        var d = batch.Cols;
        for (var i = 0; i < starving.Count; i++)
        {
            var c = starving[i];
            batch.Row(rows[i]).CopyTo(centres.AsSpan(c * d, d));
            // As scikit-learn: a moved centre starts with the smallest surviving count, so it is
            // neither frozen (huge count) nor thrown around by the next batch (zero count).
            counts[c] = minimumKept;
        }
    }
}
