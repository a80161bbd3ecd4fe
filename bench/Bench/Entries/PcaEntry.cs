using Distributed.Ml.Features;

namespace Distributed.Bench.Entries;

/// <summary>
/// <c>pca</c>: <see cref="Pca.Fit"/> to 50 components on the prepared pixels (rows × 784), the
/// pipeline's first stage, against scikit-learn's exact <c>PCA(n_components=50, svd_solver='full')</c>.
/// Quality: the share of the pixels' variance the 50-d projection keeps (<see cref="ExplainedVariance"/>),
/// from each side's own projection of the same rows (higher is better). Ours is exact (float64
/// covariance, symmetric eigendecomposition) and deterministic.
/// </summary>
internal sealed class PcaEntry : IBenchEntry
{
    /// <summary>The pipeline's PCA width (<see cref="PcaOptions.Components"/>'s default, as in <see cref="Prepare"/>).</summary>
    private const int Components = 50;
    private const int WarmUpRows = 1000;

    public string Name => "pca";

    public string QualityMetric => "explained_variance_ratio";

    public void WarmUp(BenchData data)
    {
        var pixels = data.Pixels;
        var head = pixels.SelectRows(Enumerable.Range(0, Math.Min(WarmUpRows, pixels.Rows)).ToArray());
        Pca.Fit(head, Options).Transform(head);
    }

    public EntryResult Run(BenchData data)
    {
        var pixels = data.Pixels;
        var (model, seconds) = Timing.Measure(() => Pca.Fit(pixels, Options));
        var quality = ExplainedVariance.Ratio(pixels, model.Transform(pixels));
        var notes = $"exact (covariance eigendecomposition); {pixels.Rows}×{pixels.Cols} pixels; "
            + $"the model's own ratio {model.ExplainedVarianceRatio.Sum():F6}";
        return new EntryResult(seconds, quality, notes);
    }

    private static PcaOptions Options => new() { Components = Components };
}
