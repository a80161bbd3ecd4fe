using Distributed.Ml.Clustering;
using Distributed.Ml.Numerics;

namespace Distributed.Bench.Entries;

/// <summary>
/// <c>kmeans</c>: <see cref="KMeans"/> with k 10 and 10 restarts on the PCA-50 features, against
/// scikit-learn's <c>KMeans(n_clusters=10, n_init=10, algorithm='lloyd')</c>. Quality: inertia,
/// recomputed in float64 from the final centres and labels by the same formula on both sides
/// (lower is better). Our labels and centres are left in the work directory so the reference side
/// can report the ARI between the two labelings.
/// </summary>
internal sealed class KMeansEntry : IBenchEntry
{
    public const string LabelsFile = "kmeans_labels.ours.npy";
    public const string CentresFile = "kmeans_centres.ours.npy";
    private const int Clusters = 10;
    private const int Restarts = 10;

    public string Name => "kmeans";

    public string QualityMetric => "inertia";

    public void WarmUp(BenchData data)
    {
        var features = data.Features;
        var head = features.SelectRows(Enumerable.Range(0, Math.Min(1000, features.Rows)).ToArray());
        KMeans.Fit(head, Options(data) with { Restarts = 2, MaxIterations = 5 });
    }

    public EntryResult Run(BenchData data)
    {
        var features = data.Features;
        var (result, seconds) = Timing.Measure(() => KMeans.Fit(features, Options(data)));
        var model = result.Model;
        var inertia = Inertia(features, model.Centres, result.Labels);
        data.Write(LabelsFile, result.Labels);
        data.Write(CentresFile, new Matrix(model.ClusterCount, model.Dimension, model.Centres));
        var notes = $"best restart: {model.Iterations} iterations, converged {model.Converged.ToString().ToLowerInvariant()}";
        return new EntryResult(seconds, inertia, notes);
    }

    private static KMeansOptions Options(BenchData data) => new() { Clusters = Clusters, Restarts = Restarts, Seed = data.Seed };

    /// <summary>Sum over rows of the squared distance to the row's centre, accumulated in float64.</summary>
    internal static double Inertia(Matrix data, float[] centres, int[] labels)
    {
        var total = 0.0;
        for (var i = 0; i < data.Rows; i++)
        {
            var row = data.Row(i);
            var centre = centres.AsSpan(labels[i] * data.Cols, data.Cols);
            for (var j = 0; j < row.Length; j++)
            {
                var delta = (double)row[j] - centre[j];
                total += delta * delta;
            }
        }
        return total;
    }
}
