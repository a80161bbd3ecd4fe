using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Clustering;

/// <summary>
/// A Gaussian mixture: component weights, means and covariances, with the fit's log-likelihood
/// and convergence report. Parameters are double precision, laid out like scikit-learn's
/// <c>weights_</c>, <c>means_</c> and <c>covariances_</c>; treat the arrays as read-only, since the
/// precision factors used for scoring are computed from them once, at construction.
/// </summary>
public sealed class GaussianMixtureModel : IClusterModel
{
    /// <summary>Kind tag in the serialised form.</summary>
    public const string Kind = "gmm";
    private const int FormatVersion = 1;

    /// <summary>
    /// Creates a model from its parameters (no fit report: <see cref="LogLikelihood"/> is NaN).
    /// </summary>
    /// <param name="weights">Mixing weights, k values in [0, 1] summing to 1.</param>
    /// <param name="means">Component means, row-major k×d.</param>
    /// <param name="covariances">k×d×d symmetric positive definite matrices (full) or k×d variances (diagonal).</param>
    /// <param name="clusterCount">Number of components k.</param>
    /// <param name="dimension">Row dimension d.</param>
    /// <param name="covarianceType">Shape of <paramref name="covariances"/>.</param>
    /// <exception cref="ArgumentException">Inconsistent shapes, invalid weights, or a covariance that is not positive definite.</exception>
    public GaussianMixtureModel(double[] weights, double[] means, double[] covariances, int clusterCount, int dimension, CovarianceType covarianceType)
        : this(weights, means, covariances, clusterCount, dimension, covarianceType, double.NaN, 0, false, [])
    {
    }

    private GaussianMixtureModel(double[] weights, double[] means, double[] covariances, int clusterCount, int dimension,
        CovarianceType covarianceType, double logLikelihood, int iterations, bool converged, double[] logLikelihoodTrace)
    {
        ArgumentNullException.ThrowIfNull(weights);
        ArgumentNullException.ThrowIfNull(means);
        ArgumentNullException.ThrowIfNull(covariances);
        ArgumentOutOfRangeException.ThrowIfLessThan(clusterCount, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (!Enum.IsDefined(covarianceType))
        {
            throw new ArgumentOutOfRangeException(nameof(covarianceType), $"Unknown covariance type {covarianceType}.");
        }
        var full = covarianceType == CovarianceType.Full;
        var covarianceLength = full ? (long)clusterCount * dimension * dimension : (long)clusterCount * dimension;
        if (weights.Length != clusterCount || means.Length != (long)clusterCount * dimension || covariances.Length != covarianceLength)
        {
            throw new ArgumentException($"A {covarianceType} mixture of {clusterCount} components in {dimension} dimensions needs " +
                $"{clusterCount} weights, {(long)clusterCount * dimension} means and {covarianceLength} covariance values.", nameof(covariances));
        }
        CheckWeights(weights);
        if (!Array.TrueForAll(means, double.IsFinite))
        {
            throw new ArgumentException("Means must be finite.", nameof(means));
        }

        Weights = weights;
        Means = means;
        Covariances = covariances;
        ClusterCount = clusterCount;
        Dimension = dimension;
        CovarianceType = covarianceType;
        LogLikelihood = logLikelihood;
        Iterations = iterations;
        Converged = converged;
        LogLikelihoodTrace = logLikelihoodTrace;
        (PrecisionFactors, LogNormalisers) = Precisions();
    }

    /// <summary>Mixing weights (k).</summary>
    public double[] Weights { get; }

    /// <summary>Component means, row-major k×d.</summary>
    public double[] Means { get; }

    /// <summary>Covariances: k×d×d row-major matrices (<see cref="CovarianceType.Full"/>) or k×d variances (<see cref="CovarianceType.Diagonal"/>).</summary>
    public double[] Covariances { get; }

    /// <summary>Shape of the covariances.</summary>
    public CovarianceType CovarianceType { get; }

    /// <inheritdoc />
    public int ClusterCount { get; }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <summary>
    /// Mean per-row log-likelihood of the training rows under these parameters (scikit-learn's
    /// <c>score(X)</c> after the fit); NaN for a model that did not come from a fit.
    /// </summary>
    public double LogLikelihood { get; }

    /// <summary>EM iterations of the winning restart.</summary>
    public int Iterations { get; }

    /// <summary>Whether the winning restart met the tolerance before the iteration limit.</summary>
    public bool Converged { get; }

    /// <summary>
    /// Mean per-row log-likelihood at each E-step of the winning restart, i.e. under the parameters
    /// before that iteration's M-step; the last value is scikit-learn's <c>lower_bound_</c>.
    /// </summary>
    public double[] LogLikelihoodTrace { get; }

    /// <summary>Free parameters, counted as scikit-learn's <c>_n_parameters</c> (used by <see cref="Bic"/>).</summary>
    public int ParameterCount =>
        (CovarianceType == CovarianceType.Full ? ClusterCount * Dimension * (Dimension + 1) / 2 : ClusterCount * Dimension)
        + ClusterCount * Dimension + ClusterCount - 1;

    /// <summary>Per component: L⁻¹ (k×d×d, lower triangular) for full covariances, 1/σ (k×d) for diagonal ones.</summary>
    internal double[] PrecisionFactors { get; }

    /// <summary>Per component: log π + log det L⁻¹ − (d/2) log 2π, the constant part of its weighted log-density.</summary>
    internal double[] LogNormalisers { get; }

    /// <summary>The same parameters with a fit report attached (precision factors are not recomputed).</summary>
    public GaussianMixtureModel WithFit(double logLikelihood, int iterations, bool converged, double[] logLikelihoodTrace)
    {
        ArgumentNullException.ThrowIfNull(logLikelihoodTrace);
        return new GaussianMixtureModel(this, logLikelihood, iterations, converged, logLikelihoodTrace);
    }

    private GaussianMixtureModel(GaussianMixtureModel source, double logLikelihood, int iterations, bool converged, double[] logLikelihoodTrace)
    {
        Weights = source.Weights;
        Means = source.Means;
        Covariances = source.Covariances;
        ClusterCount = source.ClusterCount;
        Dimension = source.Dimension;
        CovarianceType = source.CovarianceType;
        PrecisionFactors = source.PrecisionFactors;
        LogNormalisers = source.LogNormalisers;
        LogLikelihood = logLikelihood;
        Iterations = iterations;
        Converged = converged;
        LogLikelihoodTrace = logLikelihoodTrace;
    }

    /// <summary>The most probable component of every row.</summary>
    public int[] Predict(Matrix rows)
    {
        CheckRows(rows);
        var labels = new int[rows.Rows];
        GaussianMixtureKernel.Evaluate(rows, this, labels, null, null);
        return labels;
    }

    /// <summary>Posterior probability of every component for every row (n×k, rows sum to 1).</summary>
    public Matrix PredictProba(Matrix rows)
    {
        CheckRows(rows);
        var probabilities = new Matrix(rows.Rows, ClusterCount);
        GaussianMixtureKernel.Evaluate(rows, this, null, null, probabilities.Data);
        return probabilities;
    }

    /// <summary>Log-density of the mixture at every row (scikit-learn's <c>score_samples</c>).</summary>
    public double[] ScoreSamples(Matrix rows)
    {
        CheckRows(rows);
        var densities = new double[rows.Rows];
        GaussianMixtureKernel.Evaluate(rows, this, null, densities, null);
        return densities;
    }

    /// <summary>Mean per-row log-likelihood of the rows (scikit-learn's <c>score</c>).</summary>
    public double MeanLogLikelihood(Matrix rows)
    {
        var densities = ScoreSamples(rows);
        if (densities.Length == 0)
        {
            throw new ArgumentException("The log-likelihood of no rows is undefined.", nameof(rows));
        }
        var sum = 0.0;
        foreach (var value in densities)
        {
            sum += value;
        }
        return sum / densities.Length;
    }

    /// <summary>Bayesian information criterion on the rows: −2·n·mean log-likelihood + parameters·ln n (lower is better).</summary>
    public double Bic(Matrix rows) => -2 * MeanLogLikelihood(rows) * rows.Rows + ParameterCount * Math.Log(rows.Rows);

    /// <inheritdoc />
    public void Save(Stream stream)
    {
        using var writer = new ModelWriter(stream, Kind, FormatVersion);
        writer.Write(ClusterCount);
        writer.Write(Dimension);
        writer.Write((int)CovarianceType);
        writer.Write(LogLikelihood);
        writer.Write(Iterations);
        writer.Write(Converged ? 1 : 0);
        writer.Write(Weights);
        writer.Write(Means);
        writer.Write(Covariances);
        writer.Write(LogLikelihoodTrace);
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="ModelFormatException">Corrupted or foreign data.</exception>
    public static GaussianMixtureModel Load(Stream stream)
    {
        using var reader = new ModelReader(stream, Kind, FormatVersion);
        var k = reader.ReadInt32();
        var d = reader.ReadInt32();
        var type = (CovarianceType)reader.ReadInt32();
        ModelReader.Require(k > 0 && d > 0 && Enum.IsDefined(type), $"{k} {type} components of dimension {d}");
        var logLikelihood = reader.ReadDouble();
        var iterations = reader.ReadInt32();
        var converged = reader.ReadInt32() != 0;
        var weights = reader.ReadDoubles(k);
        var means = reader.ReadDoubles(checked(k * d));
        var covariances = reader.ReadDoubles(type == CovarianceType.Full ? checked(k * d * d) : checked(k * d));
        var trace = reader.ReadDoubles();
        try
        {
            return new GaussianMixtureModel(weights, means, covariances, k, d, type, logLikelihood, iterations, converged, trace);
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException($"inconsistent model: {e.Message}", e);
        }
    }

    private void CheckRows(Matrix rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Cols != Dimension)
        {
            throw new ArgumentException($"The Gaussian mixture expects {Dimension} columns, got {rows.Cols}.", nameof(rows));
        }
    }

    private static void CheckWeights(double[] weights)
    {
        var sum = 0.0;
        foreach (var weight in weights)
        {
            if (!(weight >= 0 && weight <= 1))
            {
                throw new ArgumentException($"Weights must lie in [0, 1], got {weight}.", nameof(weights));
            }
            sum += weight;
        }
        if (Math.Abs(sum - 1) > 1e-6)
        {
            throw new ArgumentException($"Weights must sum to 1, got {sum}.", nameof(weights));
        }
    }

    private (double[] Factors, double[] Normalisers) Precisions()
    {
        var k = ClusterCount;
        var d = Dimension;
        var full = CovarianceType == CovarianceType.Full;
        var size = full ? d * d : d;
        var factors = new double[k * size];
        var normalisers = new double[k];
        for (var c = 0; c < k; c++)
        {
            var covariance = Covariances.AsSpan(c * size, size);
            var factor = factors.AsSpan(c * size, size);
            double logDeterminant;
            if (full)
            {
                if (!GaussianPrecision.IsSymmetric(covariance, d))
                {
                    throw new ArgumentException($"The covariance of component {c} is not symmetric.", "covariances");
                }
                if (!GaussianPrecision.TryInverseCholesky(covariance, d, factor, out logDeterminant))
                {
                    throw NotPositiveDefinite(c);
                }
            }
            else
            {
                logDeterminant = 0;
                for (var j = 0; j < d; j++)
                {
                    if (!(covariance[j] > 0) || double.IsInfinity(covariance[j]))
                    {
                        throw NotPositiveDefinite(c);
                    }
                    factor[j] = 1.0 / Math.Sqrt(covariance[j]);
                    logDeterminant += Math.Log(factor[j]);
                }
            }
            normalisers[c] = Math.Log(Weights[c]) + logDeterminant - 0.5 * d * Math.Log(2 * Math.PI);
        }
        return (factors, normalisers);
    }

    private static ArgumentException NotPositiveDefinite(int component) =>
        new($"The covariance of component {component} is not positive definite: the component has collapsed onto too few " +
            "distinct rows. Increase the ridge (Ridge, scikit-learn's reg_covar), use fewer components, or scale the data.", "covariances");
}
