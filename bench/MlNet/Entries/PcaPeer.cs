using Distributed.Ml.Numerics;
using Microsoft.ML;

namespace Distributed.Bench.MlNet.Entries;

/// <summary>
/// <c>pca</c>, ML.NET: <c>ProjectToPrincipalComponents</c> to rank 50 on the prepared pixels, with
/// its defaults otherwise (randomized SVD with oversampling 20, mean removed), seeded. It takes no
/// thread count. Timed: the fit on the cached rows. Quality: the share of the pixels' variance its
/// own projection of the same rows keeps (<see cref="ExplainedVariance"/>).
/// </summary>
internal sealed class PcaPeer : IBenchEntry
{
    /// <summary>As ours (<c>PcaEntry</c>) and scikit-learn's <c>n_components</c>.</summary>
    private const int Rank = 50;
    private const int WarmUpRows = 1000;
    private const string Projected = "Projected";

    public string Name => "pca";

    public string QualityMetric => "explained_variance_ratio";

    public void WarmUp(BenchData data)
    {
        var pixels = data.Pixels;
        Fit(data, pixels.SelectRows(Enumerable.Range(0, Math.Min(WarmUpRows, pixels.Rows)).ToArray()));
    }

    public EntryResult Run(BenchData data)
    {
        var (seconds, quality) = Fit(data, data.Pixels);
        var notes = $"randomized (oversampling 20, ML.NET's default), seed {MlNetInputs.Seed(data)}; {data.Pixels.Rows}×{data.Pixels.Cols} pixels";
        return new EntryResult(seconds, quality, notes);
    }

    private static (double Seconds, double Quality) Fit(BenchData data, Matrix pixels)
    {
        var context = MlNetInputs.Context(data);
        var view = MlNetInputs.Cached(context, MlNetInputs.View(context, pixels));
        var estimator = context.Transforms.ProjectToPrincipalComponents(Projected, MlNetInputs.Features, rank: Rank, seed: MlNetInputs.Seed(data));
        var (transformer, seconds) = Timing.Measure(() => estimator.Fit(view));
        var projection = MlNetInputs.ReadMatrix(transformer.Transform(view), Projected, Rank);
        return (seconds, ExplainedVariance.Ratio(pixels, projection));
    }
}
