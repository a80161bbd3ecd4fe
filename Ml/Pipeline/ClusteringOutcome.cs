using Distributed.Ml.Clustering;

namespace Distributed.Ml.Pipeline;

/// <summary>A fitted clustering with its labels and the convergence facts the report needs, whatever the method.</summary>
internal sealed record ClusteringOutcome(
    IClusterModel Model,
    int[] Labels,
    int Iterations,
    bool Converged,
    double? Inertia = null,
    double? MeanLogLikelihood = null,
    double? Bic = null,
    double[]? LogLikelihoodTrace = null);
