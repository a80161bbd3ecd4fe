using Distributed.Ml.Embedding;
using Distributed.Ml.Metrics;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;

namespace Distributed.Bench.Entries;

/// <summary>
/// <c>umap</c>: <see cref="Umap"/> from the PCA-50 features to 10 dimensions with the pipeline's
/// settings (10 neighbours, min_dist 0, spectral start). umap-learn cannot be installed here, so
/// the reference side reports no time: published figures for umap-learn on 70,000 MNIST images
/// are 65–116 s on a desktop. Quality: trustworthiness (k = 5, scikit-learn's definition) of the
/// embedding of a seeded sample of 2,000 rows.
/// </summary>
internal sealed class UmapEntry : IBenchEntry
{
    private const int SampleRows = 2000;

    public string Name => "umap";

    public string QualityMetric => "trustworthiness";

    public void WarmUp(BenchData data)
    {
        var head = data.Features.SelectRows(Enumerable.Range(0, Math.Min(2000, data.Features.Rows)).ToArray());
        Umap.Fit(head, Options(data) with { Epochs = 5 });
    }

    public EntryResult Run(BenchData data)
    {
        var features = data.Features;
        var (model, seconds) = Timing.Measure(() => Umap.Fit(features, Options(data)));

        var sample = Enumerable.Range(0, features.Rows).ToArray();
        Rng.Derive(data.Seed, 1).Shuffle<int>(sample);
        sample = sample[..Math.Min(SampleRows, sample.Length)];
        Array.Sort(sample);
        var trustworthiness = Trustworthiness.Score(features.SelectRows(sample), model.Embedding.SelectRows(sample));
        return new EntryResult(seconds, trustworthiness, $"{model.Embedding.Cols}-d, {model.Neighbors} neighbours");
    }

    private static UmapOptions Options(BenchData data) =>
        new PipelineOptions().Umap with { Components = 10, Seed = data.Seed };
}
