using Distributed.Bench.Entries;
using Distributed.Ml.Metrics;
using Microsoft.ML;
using Microsoft.ML.Data;
using Microsoft.ML.Trainers;

namespace Distributed.Bench.MlNet.Entries;

/// <summary>
/// <c>kmeans</c>, ML.NET: <see cref="KMeansTrainer"/> with k 10, k-means++ initialisation and its
/// defaults otherwise (at most 1,000 iterations, tolerance 1e-7), on the PCA-50 features. ML.NET fits
/// once: it has no restarts (ours keeps the best of 10, scikit-learn of 10 inits). Quality: inertia
/// recomputed in float64 from ML.NET's centres and its labels by <see cref="KMeansEntry.Inertia"/>.
/// </summary>
internal sealed class KMeansPeer : IBenchEntry
{
    private const int Clusters = 10;
    private const int WarmUpRows = 1000;
    private const int WarmUpIterations = 5;

    public string Name => "kmeans";

    public string QualityMetric => "inertia";

    public void WarmUp(BenchData data)
    {
        var features = data.Features;
        var head = features.SelectRows(Enumerable.Range(0, Math.Min(WarmUpRows, features.Rows)).ToArray());
        var context = MlNetInputs.Context(data);
        var view = MlNetInputs.Cached(context, MlNetInputs.View(context, head));
        var options = Options();
        options.MaximumNumberOfIterations = WarmUpIterations;
        var model = context.Clustering.Trainers.KMeans(options).Fit(view);
        model.Transform(view).GetColumn<uint>(MlNetInputs.PredictedLabel).ToArray();
    }

    public EntryResult Run(BenchData data)
    {
        var features = data.Features;
        var context = MlNetInputs.Context(data);
        var view = MlNetInputs.Cached(context, MlNetInputs.View(context, features));
        var trainer = context.Clustering.Trainers.KMeans(Options());
        var (model, seconds) = Timing.Measure(() => trainer.Fit(view));

        // ML.NET's predicted cluster is a 1-based key: the nearest centre by its own distance.
        var labels = Array.ConvertAll(model.Transform(view).GetColumn<uint>(MlNetInputs.PredictedLabel).ToArray(), key => (int)key - 1);
        VBuffer<float>[] centroids = [];
        model.Model.GetClusterCentroids(ref centroids, out var k);
        var centres = new float[k * features.Cols];
        for (var c = 0; c < k; c++)
        {
            centroids[c].DenseValues().ToArray().CopyTo(centres, c * features.Cols);
        }
        var inertia = KMeansEntry.Inertia(features, centres, labels);
        var notes = $"one fit (no restarts), k-means++ init, at most {Options().MaximumNumberOfIterations} iterations, tolerance {Options().OptimizationTolerance:G}, {MlNetInputs.Threads} threads";
        if (File.Exists(data.PathOf(KMeansEntry.LabelsFile)))
        {
            notes += $"; ARI against our labels {AdjustedRandIndex.Score(data.ReadInt32(KMeansEntry.LabelsFile), labels):F4}";
        }
        return new EntryResult(seconds, inertia, notes);
    }

    private static KMeansTrainer.Options Options() => new()
    {
        FeatureColumnName = MlNetInputs.Features,
        NumberOfClusters = Clusters,
        InitializationAlgorithm = KMeansTrainer.InitializationAlgorithm.KMeansPlusPlus,
        NumberOfThreads = MlNetInputs.Threads,
    };
}
