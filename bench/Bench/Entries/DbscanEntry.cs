using System.Diagnostics;
using System.Globalization;
using Distributed.Ml.Clustering;
using Distributed.Ml.Metrics;
using Distributed.Ml.Neighbors;

namespace Distributed.Bench.Entries;

/// <summary>
/// <c>dbscan</c>: <see cref="Dbscan"/> on the UMAP-10 embedding (<see cref="Embedding"/>), with
/// min_samples 5 and eps chosen by our k-distance knee (untimed; the seconds are in the notes),
/// against scikit-learn's <c>DBSCAN(eps, min_samples=5, n_jobs=2)</c> with the same eps, which it
/// reads from <see cref="EpsFile"/>. Timed: the fit with eps given. Quality: ARI against the true
/// digits (noise counted as one more label, as <c>adjusted_rand_score</c> does). Our labels are
/// left in the work directory so the reference side reports the ARI between the two labelings.
/// </summary>
internal sealed class DbscanEntry : IBenchEntry
{
    public const string LabelsFile = "dbscan_labels.ours.npy";
    public const string EpsFile = "dbscan_eps.ours.txt";
    private const int MinSamples = 5;

    public string Name => "dbscan";

    public string QualityMetric => "ari_vs_digits";

    public void WarmUp(BenchData data)
    {
        var head = Embedding.Umap10(data).SelectRows(Enumerable.Range(0, 1000).ToArray());
        Dbscan.Fit(head, new DbscanOptions { MinSamples = MinSamples });
    }

    public EntryResult Run(BenchData data)
    {
        var embedding = Embedding.Umap10(data);
        var clock = Stopwatch.StartNew();
        var eps = KDistanceKnee.Choose(new KdTree(embedding), embedding, MinSamples);
        var kneeSeconds = clock.Elapsed.TotalSeconds;
        var options = new DbscanOptions { Eps = eps, MinSamples = MinSamples };
        var (result, seconds) = Timing.Measure(() => Dbscan.Fit(embedding, options));
        data.Write(LabelsFile, result.Labels);
        data.WriteText(EpsFile, eps.ToString("R", CultureInfo.InvariantCulture));
        var noise = result.Labels.Count(l => l < 0);
        var truth = data.ReadInt32(BenchData.LabelsFile);
        var notes = string.Create(CultureInfo.InvariantCulture,
            $"eps {eps:G6} (knee of the {MinSamples}-distance curve, {kneeSeconds:F2} s untimed); {result.Model.ClusterCount} clusters; noise {noise} rows ({(double)noise / embedding.Rows:P1}); {result.Model.CorePoints.Rows} core rows");
        return new EntryResult(seconds, AdjustedRandIndex.Score(truth, result.Labels), notes);
    }
}
