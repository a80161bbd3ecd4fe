namespace Distributed.Ml.Clustering;

/// <summary>One restart's part of a <see cref="ShardedClusteringState"/>: plain data, persisted with it.</summary>
public sealed class ShardedRestartState
{
    /// <summary>Step of the restart.</summary>
    public ShardedClusteringStep Step { get; set; } = ShardedClusteringStep.Init;

    /// <summary>Iterations of the step done (Lloyd's, then EM's).</summary>
    public int Iteration { get; set; }

    /// <summary>Model after the last iteration: k-means centres as a <see cref="KMeansModel"/>, or a <see cref="GaussianMixtureModel"/>.</summary>
    public byte[]? Model { get; set; }

    /// <summary>The centres the last Lloyd assignment was made with (a <see cref="KMeansModel"/>): the score is their inertia.</summary>
    public byte[]? AssignedWith { get; set; }

    /// <summary>Whether the current step converged.</summary>
    public bool Converged { get; set; }

    /// <summary>k-means' score once scored: the last assignment's inertia (lower is better).</summary>
    public double Inertia { get; set; }

    /// <summary>Mean log-likelihood per EM iteration (a mixture's score is the last, higher is better).</summary>
    public List<double> Trace { get; set; } = [];
}
