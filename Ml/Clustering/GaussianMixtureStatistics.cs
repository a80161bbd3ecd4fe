using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// Partial sufficient statistics of one Gaussian-mixture E-step over some rows, in double
/// precision: per component Σγ, Σγx and Σγxxᵀ (Σγx² for diagonal covariances), with the rows'
/// total log-likelihood. Merging is addition, so workers can compute them over their shards and a
/// coordinator can reduce them and take the M-step (<see cref="ToModel"/>); merged in a fixed order
/// the result does not depend on how many threads or machines did the work.
/// </summary>
public sealed class GaussianMixtureStatistics
{
    // numpy's finfo(float64).eps: scikit-learn adds 10 of them to every Σγ so that an empty
    // component gets a zero mean and a ridge-only covariance instead of 0/0.
    private const double MachineEpsilon = 2.220446049250313e-16;

    /// <summary>Empty statistics for k components of dimension d.</summary>
    public GaussianMixtureStatistics(int clusters, int dimension, CovarianceType covarianceType)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(clusters, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(dimension, 1);
        if (!Enum.IsDefined(covarianceType))
        {
            throw new ArgumentOutOfRangeException(nameof(covarianceType), $"Unknown covariance type {covarianceType}.");
        }
        Clusters = clusters;
        Dimension = dimension;
        CovarianceType = covarianceType;
        Responsibilities = new double[clusters];
        FirstMoments = new double[checked(clusters * dimension)];
        SecondMoments = new double[covarianceType == CovarianceType.Full ? checked(clusters * dimension * dimension) : checked(clusters * dimension)];
    }

    /// <summary>Number of components.</summary>
    public int Clusters { get; }

    /// <summary>Row dimension.</summary>
    public int Dimension { get; }

    /// <summary>Whether <see cref="SecondMoments"/> holds full matrices or diagonals.</summary>
    public CovarianceType CovarianceType { get; }

    /// <summary>Per component Σᵢ γᵢ (the soft row count), k values.</summary>
    public double[] Responsibilities { get; }

    /// <summary>Per component Σᵢ γᵢ xᵢ, row-major k×d.</summary>
    public double[] FirstMoments { get; }

    /// <summary>Per component Σᵢ γᵢ xᵢxᵢᵀ (k×d×d, symmetric) for full covariances, Σᵢ γᵢ xᵢ² (k×d) for diagonal ones.</summary>
    public double[] SecondMoments { get; }

    /// <summary>Σᵢ log p(xᵢ) under the model the E-step used (0 for statistics from hard labels).</summary>
    public double LogLikelihood { get; set; }

    /// <summary>Number of rows accumulated.</summary>
    public long Rows { get; set; }

    /// <summary>Mean per-row log-likelihood, the quantity EM's tolerance applies to.</summary>
    public double MeanLogLikelihood => LogLikelihood / Rows;

    /// <summary>Adds the E-step statistics of rows [start, start+count) of <paramref name="data"/> under <paramref name="model"/>.</summary>
    public void Accumulate(Matrix data, int start, int count, GaussianMixtureModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        CheckRange(data, start, count);
        if (model.ClusterCount != Clusters || model.Dimension != Dimension || model.CovarianceType != CovarianceType)
        {
            throw new ArgumentException("The model does not have the shape of these statistics.", nameof(model));
        }
        GaussianMixtureMoments.Accumulate(data, start, count, model, this, new GaussianMixtureKernel.Scratch(Clusters, Dimension));
    }

    /// <summary>Adds another worker's statistics into these.</summary>
    public void Merge(GaussianMixtureStatistics other)
    {
        ArgumentNullException.ThrowIfNull(other);
        if (other.Clusters != Clusters || other.Dimension != Dimension || other.CovarianceType != CovarianceType)
        {
            throw new ArgumentException("Statistics of different shapes cannot be merged.", nameof(other));
        }
        Add(Responsibilities, other.Responsibilities);
        Add(FirstMoments, other.FirstMoments);
        Add(SecondMoments, other.SecondMoments);
        LogLikelihood += other.LogLikelihood;
        Rows += other.Rows;
    }

    /// <summary>
    /// The M-step: π = N_c / Σ N_c, μ = S1/N_c, Σ = S2/N_c − μμᵀ + ridge·I, where N_c is Σγ plus
    /// 10 machine epsilons (as scikit-learn). The result carries no fit report.
    /// </summary>
    /// <exception cref="ArgumentException">A covariance is not positive definite even with the ridge.</exception>
    public GaussianMixtureModel ToModel(double ridge)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(ridge);
        if (Rows == 0)
        {
            throw new InvalidOperationException("The M-step needs statistics of at least one row.");
        }
        var k = Clusters;
        var d = Dimension;
        var full = CovarianceType == CovarianceType.Full;
        var weights = new double[k];
        var means = new double[k * d];
        var covariances = new double[SecondMoments.Length];
        var total = 0.0;
        for (var c = 0; c < k; c++)
        {
            var count = Responsibilities[c] + 10 * MachineEpsilon;
            total += count;
            weights[c] = count;
            for (var j = 0; j < d; j++)
            {
                means[c * d + j] = FirstMoments[c * d + j] / count;
            }
            var mean = means.AsSpan(c * d, d);
            if (full)
            {
                for (var l = 0; l < d; l++)
                {
                    for (var j = l; j < d; j++)
                    {
                        var value = SecondMoments[(c * d + l) * d + j] / count - mean[l] * mean[j];
                        covariances[(c * d + l) * d + j] = value;
                        covariances[(c * d + j) * d + l] = value;
                    }
                    covariances[(c * d + l) * d + l] += ridge;
                }
            }
            else
            {
                for (var j = 0; j < d; j++)
                {
                    // Clamped: cancellation can leave a tiny negative variance for a constant feature.
                    covariances[c * d + j] = Math.Max(0.0, SecondMoments[c * d + j] / count - mean[j] * mean[j]) + ridge;
                }
            }
        }
        for (var c = 0; c < k; c++)
        {
            weights[c] /= total;
        }
        return new GaussianMixtureModel(weights, means, covariances, k, d, CovarianceType);
    }

    /// <summary>E-step statistics of all rows under <paramref name="model"/>, computed in parallel over a fixed partition.</summary>
    public static GaussianMixtureStatistics Compute(Matrix data, GaussianMixtureModel model)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(model);
        return new GaussianMixtureAccumulator(data, model.ClusterCount, model.CovarianceType).Expect(model);
    }

    /// <summary>Statistics of hard assignments (responsibility 1 for the labelled component), e.g. to start EM from k-means.</summary>
    public static GaussianMixtureStatistics FromLabels(Matrix data, int[] labels, int clusters, CovarianceType covarianceType)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != data.Rows)
        {
            throw new ArgumentException($"{data.Rows} rows need {data.Rows} labels, got {labels.Length}.", nameof(labels));
        }
        return new GaussianMixtureAccumulator(data, clusters, covarianceType).FromLabels(labels);
    }

    internal void Clear()
    {
        Array.Clear(Responsibilities);
        Array.Clear(FirstMoments);
        Array.Clear(SecondMoments);
        LogLikelihood = 0;
        Rows = 0;
    }

    private void CheckRange(Matrix data, int start, int count)
    {
        ArgumentNullException.ThrowIfNull(data);
        if (data.Cols != Dimension)
        {
            throw new ArgumentException($"Expected {Dimension} columns, got {data.Cols}.", nameof(data));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(start);
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(start, data.Rows - count);
    }

    private static void Add(double[] into, double[] values)
    {
        for (var i = 0; i < into.Length; i++)
        {
            into[i] += values[i];
        }
    }
}
