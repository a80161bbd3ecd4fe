using Distributed.Ml.Clustering;
using Distributed.Ml.Numerics;

namespace Distributed.Bench.Entries;

/// <summary>
/// <c>gmm</c>: <see cref="GaussianMixture"/> with 10 full-covariance components and one k-means
/// start on the first 10 PCA columns (the pipeline clusters a 10-d embedding), against
/// scikit-learn's <c>GaussianMixture(10, covariance_type='full')</c> with its defaults (tolerance
/// 1e-3, ridge 1e-6, at most 100 iterations, k-means initialisation). Quality: mean log-likelihood
/// per row of the fitted model on the same rows (higher is better).
/// </summary>
internal sealed class GmmEntry : IBenchEntry
{
    public const int Dimensions = 10;
    private const int Components = 10;

    public string Name => "gmm";

    public string QualityMetric => "mean_log_likelihood";

    public void WarmUp(BenchData data)
    {
        var head = Input(data).SelectRows(Enumerable.Range(0, Math.Min(1000, data.Features.Rows)).ToArray());
        GaussianMixture.Fit(head, Options(data) with { MaxIterations = 5 });
    }

    public EntryResult Run(BenchData data)
    {
        var input = Input(data);
        var (result, seconds) = Timing.Measure(() => GaussianMixture.Fit(input, Options(data)));
        var model = result.Model;
        var notes = $"{model.Iterations} EM iterations, converged {model.Converged.ToString().ToLowerInvariant()}";
        return new EntryResult(seconds, model.MeanLogLikelihood(input), notes);
    }

    private static GaussianMixtureOptions Options(BenchData data) =>
        new() { Clusters = Components, CovarianceType = CovarianceType.Full, Restarts = 1, Seed = data.Seed };

    private static Matrix Input(BenchData data)
    {
        var features = data.Features;
        var input = new Matrix(features.Rows, Dimensions);
        for (var i = 0; i < features.Rows; i++)
        {
            features.Row(i)[..Dimensions].CopyTo(input.Row(i));
        }
        return input;
    }
}
