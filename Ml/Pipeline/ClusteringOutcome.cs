using Distributed.Ml.Clustering;

namespace Distributed.Ml.Pipeline;

/// <summary>A fitted clustering with its labels and the convergence facts the report needs, whatever the method.</summary>
internal sealed record ClusteringOutcome(
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

    /// <summary>Every method tried, for <c>--method auto</c>; null otherwise.</summary>
    public IReadOnlyList<ClusteringCandidate>? Candidates { get; init; }

    /// <summary>The method whose result this is, when <c>--method auto</c> chose it; null otherwise.</summary>
    public ClusteringMethod? Selected { get; init; }
}
