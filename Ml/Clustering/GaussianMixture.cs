using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// Gaussian mixture by expectation–maximisation, initialised like scikit-learn's default: k-means
/// hard assignments, then one M-step.
/// </summary>
/// <remarks>
/// Each iteration is the distributed template: an E-step accumulates
/// <see cref="GaussianMixtureStatistics"/> per block, the blocks are reduced in order, and the
/// M-step turns the sums into the next model. EM stops when the mean per-row log-likelihood changes
/// by less than the tolerance; of several restarts the one with the highest final log-likelihood
/// wins (as scikit-learn's n_init). Labels come from a final pass under the returned parameters, so
/// they equal <see cref="GaussianMixtureModel.Predict"/>. Deterministic for a given seed, whatever
/// the number of threads.
/// </remarks>
public static class GaussianMixture
{
    /// <summary>Fits a mixture of <see cref="GaussianMixtureOptions.Clusters"/> components to the rows of <paramref name="data"/>.</summary>
    /// <exception cref="ArgumentOutOfRangeException">An option is out of range.</exception>
    /// <exception cref="ArgumentException">A component collapsed so that its covariance is not positive definite (see <see cref="GaussianMixtureOptions.Ridge"/>).</exception>
    public static GaussianMixtureResult Fit(Matrix data, GaussianMixtureOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        Validate(data, options);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(options.Clusters, data.Rows, nameof(options.Clusters));

        var accumulator = new GaussianMixtureAccumulator(data, options.Clusters, options.CovarianceType);
        GaussianMixtureModel? best = null;
        for (var restart = 0; restart < options.Restarts; restart++)
        {
            var seed = Rng.Derive(options.Seed, RandomStreams.Restart, (ulong)restart).NextUInt64();
            var kmeans = KMeans.Fit(data, new KMeansOptions { Clusters = options.Clusters, Restarts = 1, Seed = seed });
            var initial = accumulator.FromLabels(kmeans.Labels).ToModel(options.Ridge);
            var model = Em(accumulator, initial, options);
            if (best is null || model.LogLikelihoodTrace[^1] > best.LogLikelihoodTrace[^1])
            {
                best = model;
            }
        }
        return Finish(data, best!);
    }

    /// <summary>
    /// Runs EM from the given parameters. Only <see cref="GaussianMixtureOptions.MaxIterations"/>,
    /// <see cref="GaussianMixtureOptions.Tolerance"/> and <see cref="GaussianMixtureOptions.Ridge"/>
    /// apply; the number of components and the covariance type are the initial model's.
    /// </summary>
    public static GaussianMixtureResult FitFrom(Matrix data, GaussianMixtureModel initial, GaussianMixtureOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(initial);
        ArgumentNullException.ThrowIfNull(options);
        Validate(data, options);
        if (initial.Dimension != data.Cols)
        {
            throw new ArgumentException($"The initial model expects {initial.Dimension} columns, the data has {data.Cols}.", nameof(initial));
        }
        var accumulator = new GaussianMixtureAccumulator(data, initial.ClusterCount, initial.CovarianceType);
        return Finish(data, Em(accumulator, initial, options));
    }

    /// <summary>EM iterations from <paramref name="model"/>; the result carries the iteration report but not yet the final log-likelihood.</summary>
    private static GaussianMixtureModel Em(GaussianMixtureAccumulator accumulator, GaussianMixtureModel model, GaussianMixtureOptions options)
    {
        var trace = new List<double>();
        var previous = double.NegativeInfinity;
        var converged = false;
        while (trace.Count < options.MaxIterations)
        {
            var statistics = accumulator.Expect(model);
            var logLikelihood = statistics.MeanLogLikelihood;
            trace.Add(logLikelihood);
            model = statistics.ToModel(options.Ridge);
            if (Math.Abs(logLikelihood - previous) < options.Tolerance)
            {
                converged = true;
                break;
            }
            previous = logLikelihood;
        }
        return model.WithFit(double.NaN, trace.Count, converged, [.. trace]);
    }

    /// <summary>One pass under the final parameters gives the labels and the log-likelihood reported in the model.</summary>
    private static GaussianMixtureResult Finish(Matrix data, GaussianMixtureModel model)
    {
        var labels = new int[data.Rows];
        var densities = new double[data.Rows];
        GaussianMixtureKernel.Evaluate(data, model, labels, densities, null);
        var sum = 0.0;
        foreach (var density in densities)
        {
            sum += density;
        }
        return new GaussianMixtureResult(model.WithFit(sum / data.Rows, model.Iterations, model.Converged, model.LogLikelihoodTrace), labels);
    }

    private static void Validate(Matrix data, GaussianMixtureOptions options)
    {
        if (data.Rows < 1 || data.Cols < 1)
        {
            throw new ArgumentException($"A Gaussian mixture needs at least one row and one column, got {data.Rows}×{data.Cols}.", nameof(data));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Clusters, 1, nameof(options.Clusters));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Restarts, 1, nameof(options.Restarts));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.MaxIterations, 1, nameof(options.MaxIterations));
        if (!(options.Tolerance >= 0))
        {
            throw new ArgumentOutOfRangeException(nameof(options.Tolerance), options.Tolerance, "Tolerance must be non-negative.");
        }
        if (!(options.Ridge >= 0) || double.IsInfinity(options.Ridge))
        {
            throw new ArgumentOutOfRangeException(nameof(options.Ridge), options.Ridge, "Ridge must be finite and non-negative.");
        }
        if (!Enum.IsDefined(options.CovarianceType))
        {
            throw new ArgumentOutOfRangeException(nameof(options.CovarianceType), options.CovarianceType, "Unknown covariance type.");
        }
    }
}
