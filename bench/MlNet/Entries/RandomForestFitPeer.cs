namespace Distributed.Bench.MlNet.Entries;

/// <summary>
/// <c>random_forest_fit</c>, ML.NET: one-vs-all FastForest (<see cref="FastForestMulticlass"/>) on the
/// training 80% of the PCA-50 features with the k-means pseudo-labels. Timed: the fit on the cached,
/// key-labelled rows. Quality: accuracy on the held-out 20% (<see cref="ForestSplit.Accuracy"/>). The
/// notes add ML.NET's LightGBM multiclass fit on the same rows (<see cref="LightGbmNote"/>).
/// </summary>
internal sealed class RandomForestFitPeer : IBenchEntry
{
    public string Name => "random_forest_fit";

    public string QualityMetric => "held_out_accuracy";

    public void WarmUp(BenchData data) => FastForestMulticlass.WarmUp(data);

    public EntryResult Run(BenchData data)
    {
        var split = ForestSplit.From(data);
        var context = MlNetInputs.Context(data);
        var train = MlNetInputs.Labelled(context, split.Train, split.TrainLabels);
        var keyValues = MlNetInputs.KeyValues(train);
        var test = MlNetInputs.View(context, split.Test);
        var trainer = FastForestMulticlass.Trainer(context, MlNetInputs.Seed(data));
        var (model, seconds) = Timing.Measure(() => trainer.Fit(train));
        var accuracy = ForestSplit.Accuracy(split.TestLabels, MlNetInputs.PredictLabels(model, test, keyValues));
        var notes = $"{FastForestMulticlass.Describe(keyValues.Length)}, {MlNetInputs.Threads} threads; {split.Train.Rows} train rows; "
            + LightGbmNote.Fit(context, data, train, keyValues, test, split.TestLabels);
        return new EntryResult(seconds, accuracy, notes);
    }
}
