using Distributed.Ml.SemiSupervised;

namespace Distributed.Bench.Entries;

/// <summary>
/// <c>label_spreading</c>: <see cref="LabelSpreading"/> (kNN kernel, 7 neighbours, α 0.2, 30
/// iterations, tol 1e-3) on all prepared PCA-50 rows with the true digits of a seeded 10% known
/// (<c>known_labels.npy</c>), against scikit-learn's
/// <c>LabelSpreading(kernel='knn', n_neighbors=7, alpha=0.2, n_jobs=2)</c>. Quality: accuracy on
/// the rows whose label was not known.
/// </summary>
internal sealed class LabelSpreadingEntry : IBenchEntry
{
    public string Name => "label_spreading";

    public string QualityMetric => "accuracy_on_unlabelled";

    public void WarmUp(BenchData data)
    {
        var head = Enumerable.Range(0, Math.Min(1000, data.Features.Rows)).ToArray();
        LabelSpreading.Fit(data.Features.SelectRows(head), Array.ConvertAll(head, i => i % 10 == 0 ? i % 3 : LabelSpreading.Unknown), new LabelSpreadingOptions());
    }

    public EntryResult Run(BenchData data)
    {
        var known = data.ReadInt32(BenchData.KnownLabelsFile);
        var truth = data.ReadInt32(BenchData.LabelsFile);
        var (result, seconds) = Timing.Measure(() => LabelSpreading.Fit(data.Features, known, new LabelSpreadingOptions { Seed = data.Seed }));
        int hidden = 0, correct = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            if (known[i] == LabelSpreading.Unknown)
            {
                hidden++;
                correct += result.Labels[i] == truth[i] ? 1 : 0;
            }
        }
        var notes = $"{truth.Length - hidden} known, {hidden} unlabelled; {result.Iterations} iterations, converged {result.Converged.ToString().ToLowerInvariant()}";
        return new EntryResult(seconds, (double)correct / hidden, notes);
    }
}
