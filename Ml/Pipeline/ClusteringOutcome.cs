using Distributed.Ml.Clustering;

namespace Distributed.Ml.Pipeline;

/// <summary>A fitted clustering with its labels and the convergence facts the report needs, whatever the method.</summary>
/// <param name="Model">The fitted clusterer.</param>
/// <param name="Labels">Cluster of every row it was fitted on (−1 for noise).</param>
/// <param name="Iterations">Iterations of the fit, for iterative methods.</param>
/// <param name="Converged">Whether the fit converged, for iterative methods.</param>
/// <param name="Inertia">Sum of squared distances to the centres (k-means).</param>
/// <param name="MeanLogLikelihood">Mean log-likelihood per row (GMM).</param>
/// <param name="Bic">Bayesian information criterion (GMM).</param>
/// <param name="LogLikelihoodTrace">Mean log-likelihood per EM iteration (GMM).</param>
public sealed record ClusteringOutcome(
    IClusterModel Model,
    int[] Labels,
    int? Iterations = null,
    bool? Converged = null,
    double? Inertia = null,
    double? MeanLogLikelihood = null,
    double? Bic = null,
    double[]? LogLikelihoodTrace = null)
{
    /// <summary>Internal scores when they were already computed (by the auto selection); null otherwise.</summary>
    public InternalScores? Scores { get; init; }

    /// <summary>Every method tried, for <see cref="ClusteringMethod.Auto"/>; null otherwise.</summary>
    public IReadOnlyList<ClusteringCandidate>? Candidates { get; init; }

    /// <summary>The method whose result this is, when <see cref="ClusteringMethod.Auto"/> chose it; null otherwise.</summary>
    public ClusteringMethod? Selected { get; init; }
}
