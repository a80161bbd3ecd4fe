namespace Distributed.Ml.Clustering;

/// <summary>Shape of each component's covariance in a <see cref="GaussianMixtureModel"/>.</summary>
public enum CovarianceType
{
    /// <summary>A full d×d covariance per component (scikit-learn's <c>'full'</c>, its default).</summary>
    Full = 0,

    /// <summary>A diagonal covariance per component: d variances, features independent within a component (<c>'diag'</c>).</summary>
    Diagonal = 1,
}
