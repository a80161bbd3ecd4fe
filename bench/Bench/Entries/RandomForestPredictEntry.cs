using System.Diagnostics;
using Distributed.Ml.Forest;
using Distributed.Ml.Numerics;

namespace Distributed.Bench.Entries;

/// <summary>
/// <c>random_forest_predict</c>: batch prediction of the held-out rows by a forest fitted (untimed)
/// as in <c>random_forest_fit</c>; seconds are for the whole batch (median of 3 runs). Quality:
/// held-out accuracy.
/// The notes add batch rows/s and the median and p90 latency of single-row predictions (a
/// one-row <see cref="Matrix"/> through <see cref="RandomForestModel.Predict"/>, in process),
/// against scikit-learn's <c>predict(X[i:i+1])</c> with <c>n_jobs=1</c>.
/// </summary>
internal sealed class RandomForestPredictEntry : IBenchEntry
{
    private const int BatchRuns = 3;

    public string Name => "random_forest_predict";

    public string QualityMetric => "held_out_accuracy";

    public void WarmUp(BenchData data)
    {
        var (rows, labels) = ForestSplit.From(data).TrainHead(500);
        var model = RandomForest.Fit(rows, labels, new RandomForestOptions { Trees = 4, OutOfBagScore = false });
        model.Predict(rows);
        SingleRowLatencies(model, rows, 100);
    }

    public EntryResult Run(BenchData data)
    {
        var split = ForestSplit.From(data);
        // Out-of-bag scoring only scores the forest; without it the trees are the same.
        var model = RandomForest.Fit(split.Train, split.TrainLabels, new RandomForestOptions { OutOfBagScore = false });
        // The batch is short, so it is timed BatchRuns times and the median reported (both sides).
        var runs = new double[BatchRuns];
        var predicted = Array.Empty<int>();
        for (var r = 0; r < BatchRuns; r++)
        {
            (predicted, runs[r]) = Timing.Measure(() => model.Predict(split.Test));
        }
        var seconds = Timing.Median(runs);
        var accuracy = ForestSplit.Accuracy(split.TestLabels, predicted);
        var latencies = SingleRowLatencies(model, split.Test, data.SingleRowPredictions);
        var median = Timing.Median(latencies);
        var notes = $"{split.Test.Rows / seconds:F0} rows/s batch ({split.Test.Rows} rows, median of {BatchRuns} runs); single-row latency median {median:F1} µs, "
            + $"p90 {Timing.Percentile(latencies, 0.9):F1} µs over {latencies.Length} calls";
        return new EntryResult(seconds, accuracy, notes);
    }

    /// <summary>Microseconds per call of <see cref="RandomForestModel.Predict"/> on one row, cycling through the rows.</summary>
    private static double[] SingleRowLatencies(RandomForestModel model, Matrix rows, int calls)
    {
        var singles = new Matrix[Math.Min(calls, rows.Rows)];
        for (var i = 0; i < singles.Length; i++)
        {
            singles[i] = rows.SelectRows([i]);
        }
        var latencies = new double[calls];
        for (var i = 0; i < calls; i++)
        {
            var start = Stopwatch.GetTimestamp();
            model.Predict(singles[i % singles.Length]);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        return latencies;
    }
}
