using System.Globalization;
using Distributed.Ml.Clustering;
using Distributed.Ml.Metrics;

namespace Distributed.Bench.Entries;

/// <summary>
/// <c>agglomerative</c>: <see cref="Agglomerative"/> with Ward linkage, k 10, on the first
/// <see cref="MaxRows"/> rows of the UMAP-10 embedding (<see cref="Embedding"/>; the rows are
/// already in random order), against scikit-learn's
/// <c>AgglomerativeClustering(n_clusters=10, linkage='ward')</c> on the same rows. Both are exact
/// (no sampling: the rows are within our exact limit). Timed: the fit. Quality: ARI against the
/// true digits. Our labels are left in the work directory so the reference side reports the ARI
/// between the two labelings.
/// </summary>
internal sealed class AgglomerativeEntry : IBenchEntry
{
    public const string LabelsFile = "agglomerative_labels.ours.npy";

    /// <summary>Rows clustered: our exact limit, and scikit-learn's n² memory stays near 1.6 GB.</summary>
    public const int MaxRows = AgglomerativeOptions.DefaultMaxExactRows;

    private const int Clusters = 10;

    public string Name => "agglomerative";

    public string QualityMetric => "ari_vs_digits";

    public void WarmUp(BenchData data)
    {
        var head = Embedding.Umap10(data).SelectRows(Enumerable.Range(0, 500).ToArray());
        Agglomerative.Fit(head, new AgglomerativeOptions { Clusters = Clusters });
    }

    public EntryResult Run(BenchData data)
    {
        var embedding = Embedding.Umap10(data);
        var rows = Enumerable.Range(0, Math.Min(MaxRows, embedding.Rows)).ToArray();
        var sample = embedding.SelectRows(rows);
        var options = new AgglomerativeOptions { Clusters = Clusters, Linkage = Linkage.Ward, Seed = data.Seed };
        var (result, seconds) = Timing.Measure(() => Agglomerative.Fit(sample, options));
        data.Write(LabelsFile, result.Labels);
        var truth = data.ReadInt32(BenchData.LabelsFile).AsSpan(0, rows.Length).ToArray();
        var sizes = string.Join(' ', Enumerable.Range(0, Clusters).Select(c => result.Labels.Count(l => l == c)));
        var notes = string.Create(CultureInfo.InvariantCulture, $"{rows.Length} rows, ward; cluster sizes {sizes}");
        return new EntryResult(seconds, AdjustedRandIndex.Score(truth, result.Labels), notes);
    }
}
