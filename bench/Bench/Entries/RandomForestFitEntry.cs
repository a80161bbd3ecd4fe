using Distributed.Ml.Forest;

namespace Distributed.Bench.Entries;

/// <summary>
/// <c>random_forest_fit</c>: <see cref="RandomForest.Fit"/> with its defaults (100 trees) on the
/// training 80% of the PCA-50 features with k-means pseudo-labels, against scikit-learn's
/// <c>RandomForestClassifier(n_estimators=100, n_jobs=2, random_state=0)</c>. Quality: accuracy on
/// the held-out 20%. Our defaults include out-of-bag scoring (scikit-learn's do not), so the fit
/// is also timed without it and reported in the notes.
/// </summary>
internal sealed class RandomForestFitEntry : IBenchEntry
{
    public string Name => "random_forest_fit";

    public string QualityMetric => "held_out_accuracy";

    public void WarmUp(BenchData data)
    {
        var (rows, labels) = ForestSplit.From(data).TrainHead(500);
        RandomForest.Fit(rows, labels, new RandomForestOptions { Trees = 4 }).Predict(rows);
    }

    public EntryResult Run(BenchData data)
    {
        var split = ForestSplit.From(data);
        var defaults = new RandomForestOptions();
        var (model, seconds) = Timing.Measure(() => RandomForest.Fit(split.Train, split.TrainLabels, defaults));
        var accuracy = ForestSplit.Accuracy(split.TestLabels, model.Predict(split.Test));
        var (_, withoutOob) = Timing.Measure(() => RandomForest.Fit(split.Train, split.TrainLabels, defaults with { OutOfBagScore = false }));
        var notes = $"defaults incl. OOB scoring (OOB accuracy {model.OutOfBagScore:F4}); fit without OOB scoring {withoutOob:F2} s; "
            + $"{model.NodeCount} nodes; {split.Train.Rows} train rows";
        return new EntryResult(seconds, accuracy, notes);
    }
}
