namespace Distributed.Ml.Clustering;

/// <summary>
/// Checkpoint of <see cref="ShardedClustering"/>: plain data, so a host can persist it after every
/// iteration and resume a run from it (on another machine) with the same result. Models are kept
/// in their own binary format (<see cref="KMeansModel.Save"/>, <see cref="GaussianMixtureModel.Save"/>).
/// </summary>
public sealed class ShardedClusteringState
{
    /// <summary>Restart under way (0-based).</summary>
    public int Restart { get; set; }

    /// <summary>Step of the restart.</summary>
    public ShardedClusteringStep Step { get; set; } = ShardedClusteringStep.Init;

    /// <summary>Iterations of the step done.</summary>
    public int Iteration { get; set; }

    /// <summary>Model after the last iteration: k-means centres as a <see cref="KMeansModel"/>, or a <see cref="GaussianMixtureModel"/>.</summary>
    public byte[]? Model { get; set; }

    /// <summary>Whether the current step converged.</summary>
    public bool Converged { get; set; }

    /// <summary>Inertia of the last k-means iteration.</summary>
    public double Inertia { get; set; }

    /// <summary>Mean log-likelihood per EM iteration of the current restart.</summary>
    public List<double> Trace { get; set; } = [];

    /// <summary>Best restart so far: its model (same format as <see cref="Model"/>).</summary>
    public byte[]? BestModel { get; set; }

    /// <summary>Best restart so far: inertia (k-means, lower is better) or final log-likelihood (GMM, higher is better).</summary>
    public double? BestScore { get; set; }

    /// <summary>Best restart so far: iterations.</summary>
    public int BestIterations { get; set; }

    /// <summary>Best restart so far: converged.</summary>
    public bool BestConverged { get; set; }

    /// <summary>Best restart so far: its log-likelihood trace (GMM).</summary>
    public List<double> BestTrace { get; set; } = [];
}
