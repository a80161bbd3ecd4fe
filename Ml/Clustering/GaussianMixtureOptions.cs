namespace Distributed.Ml.Clustering;

/// <summary>
/// Options for <see cref="GaussianMixture"/>. Defaults follow scikit-learn's <c>GaussianMixture</c>
/// (n_init, max_iter, tol, reg_covar) except the number of components, which is 10 like our k-means.
/// </summary>
public sealed record GaussianMixtureOptions
{
    /// <summary>Number of mixture components k. Default 10.</summary>
    public int Clusters { get; init; } = 10;

    /// <summary>Covariance shape of every component. Default <see cref="CovarianceType.Full"/> (scikit-learn's default).</summary>
    public CovarianceType CovarianceType { get; init; } = CovarianceType.Full;

    /// <summary>
    /// Independent k-means initialisations, each followed by EM; the highest final log-likelihood
    /// wins. Default 1 (scikit-learn's n_init).
    /// </summary>
    public int Restarts { get; init; } = 1;

    /// <summary>Maximum EM iterations per restart. Default 100 (scikit-learn's max_iter).</summary>
    public int MaxIterations { get; init; } = 100;

    /// <summary>
    /// EM stops when the mean per-row log-likelihood changes by less than this between iterations.
    /// Default 1e-3 (scikit-learn's tol, same meaning).
    /// </summary>
    public double Tolerance { get; init; } = 1e-3;

    /// <summary>
    /// Added to the diagonal of every covariance so that it stays positive definite, e.g. for a
    /// constant feature. Default 1e-6 (scikit-learn's reg_covar).
    /// </summary>
    public double Ridge { get; init; } = 1e-6;

    /// <summary>Seed for the k-means initialisations. Default 42.</summary>
    public ulong Seed { get; init; } = 42;
}
