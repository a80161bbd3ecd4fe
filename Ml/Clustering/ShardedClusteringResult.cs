namespace Distributed.Ml.Clustering;

/// <summary>The outcome of <see cref="ShardedClustering.FitAsync"/>.</summary>
/// <param name="Model">The best restart's model, with its final inertia or mean log-likelihood from one more pass over every shard.</param>
/// <param name="Iterations">Iterations of the best restart (Lloyd for k-means, EM for a mixture).</param>
/// <param name="Converged">Whether the best restart converged.</param>
public sealed record ShardedClusteringResult(IClusterModel Model, int Iterations, bool Converged);
