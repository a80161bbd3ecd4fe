using Distributed.Ml.Rebalancing;

namespace Distributed.Bench.Entries;

/// <summary>
/// <c>smote_tomek</c>: <see cref="SmoteTomek"/> (k 5) on the training 80% of the PCA-50 features
/// with the k-means pseudo-labels (their clusters are unequal, as the pipeline's are), against
/// imblearn's <c>SMOTETomek(random_state=0)</c> with 2-thread neighbour searches. Quality: rows out
/// per row in (the same on both sides only if the Tomek step removes about as many rows); the notes
/// say whether SMOTE evened every class and give the class counts after.
/// </summary>
internal sealed class SmoteTomekEntry : IBenchEntry
{
    public string Name => "smote_tomek";

    public string QualityMetric => "rows_out_per_row_in";

    public void WarmUp(BenchData data)
    {
        var (rows, labels) = ForestSplit.From(data).TrainHead(2000);
        SmoteTomek.Resample(rows, labels, new SmoteTomekOptions { Seed = data.Seed });
    }

    public EntryResult Run(BenchData data)
    {
        var split = ForestSplit.From(data);
        var (result, seconds) = Timing.Measure(() => SmoteTomek.Resample(split.Train, split.TrainLabels, new SmoteTomekOptions { Seed = data.Seed }));
        return new EntryResult(seconds, (double)result.Rows.Data.Rows / split.Train.Rows, Notes(result.CountsBefore, result.CountsAfterSmote, result.CountsAfter, split.Train.Rows, result.Rows.Data.Rows));
    }

    /// <summary>The same note text as the reference side's.</summary>
    internal static string Notes(IDictionary<int, long> before, IDictionary<int, long> afterSmote, IDictionary<int, long> after, int rowsIn, int rowsOut)
    {
        var largest = before.Values.Max();
        var even = afterSmote.Values.All(count => count == largest);
        return $"{rowsIn} → {rowsOut} rows; SMOTE evened every class to {largest}: {(even ? "yes" : "no")}; "
            + $"removed as Tomek links {afterSmote.Values.Sum() - rowsOut}; counts after {string.Join(' ', after.Select(p => $"{p.Key}:{p.Value}"))}";
    }
}
