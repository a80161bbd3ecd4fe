using System.Diagnostics;
using Distributed.Bench.Entries;
using Microsoft.ML;

namespace Distributed.Bench.MlNet.Entries;

/// <summary>
/// <c>random_forest_predict</c>, ML.NET: batch prediction of the held-out rows by the one-vs-all
/// FastForest of <see cref="RandomForestFitPeer"/>, fitted untimed; seconds for the whole batch
/// (<c>Transform</c>, then the predicted column read through), median of 3 runs. Quality: held-out
/// accuracy. The notes add rows/s and the median and p90 latency of single-row predictions through
/// ML.NET's <see cref="PredictionEngine{TSrc, TDst}"/>, its in-process single-row path.
/// </summary>
internal sealed class RandomForestPredictPeer : IBenchEntry
{
    /// <summary>As <see cref="RandomForestPredictEntry"/> and scikit-learn's side.</summary>
    private const int BatchRuns = 3;
    private const int WarmUpCalls = 100;

    public string Name => "random_forest_predict";

    public string QualityMetric => "held_out_accuracy";

    public void WarmUp(BenchData data)
    {
        var (context, model, rows) = FastForestMulticlass.WarmUp(data);
        SingleRowLatencies(context, model, MlNetInputs.Rows(rows), WarmUpCalls);
    }

    public EntryResult Run(BenchData data)
    {
        var split = ForestSplit.From(data);
        var context = MlNetInputs.Context(data);
        var train = MlNetInputs.Labelled(context, split.Train, split.TrainLabels);
        var keyValues = MlNetInputs.KeyValues(train);
        var model = FastForestMulticlass.Trainer(context, MlNetInputs.Seed(data)).Fit(train);
        var test = MlNetInputs.View(context, split.Test);
        // The batch is short, so it is timed BatchRuns times and the median reported (all sides).
        var runs = new double[BatchRuns];
        var predicted = Array.Empty<int>();
        for (var r = 0; r < BatchRuns; r++)
        {
            (predicted, runs[r]) = Timing.Measure(() => MlNetInputs.PredictLabels(model, test, keyValues));
        }
        var seconds = Timing.Median(runs);
        var accuracy = ForestSplit.Accuracy(split.TestLabels, predicted);
        var latencies = SingleRowLatencies(context, model, MlNetInputs.Rows(split.Test), data.SingleRowPredictions);
        var median = Timing.Median(latencies);
        var notes = $"{split.Test.Rows / seconds:F0} rows/s batch ({split.Test.Rows} rows, median of {BatchRuns} runs; one cursor, ML.NET's batch path); "
            + $"single-row latency (PredictionEngine) median {median:F1} µs, p90 {Timing.Percentile(latencies, 0.9):F1} µs over {latencies.Length} calls; "
            + FastForestMulticlass.Describe(keyValues.Length);
        return new EntryResult(seconds, accuracy, notes);
    }

    /// <summary>Microseconds per <c>PredictionEngine.Predict</c> call on one row, cycling through the rows.</summary>
    private static double[] SingleRowLatencies(MLContext context, ITransformer model, FeatureRow[] rows, int calls)
    {
        var engine = context.Model.CreatePredictionEngine<FeatureRow, KeyPrediction>(
            model, inputSchemaDefinition: MlNetInputs.Schema(rows[0].Features.Length));
        var latencies = new double[calls];
        for (var i = 0; i < calls; i++)
        {
            var start = Stopwatch.GetTimestamp();
            engine.Predict(rows[i % rows.Length]);
            latencies[i] = Stopwatch.GetElapsedTime(start).TotalMicroseconds;
        }
        return latencies;
    }
}
