namespace Distributed.Ml.Clustering;

/// <summary>
/// Computes partial sufficient statistics over a fixed, ordered set of shards, wherever the shards
/// live (in this process, or on workers of a cluster). <see cref="ShardedClustering"/> reduces the
/// answers in shard order, so the result does not depend on who computed which shard.
/// </summary>
public interface IShardStatistics
{
    /// <summary>
    /// k-means statistics of every shard under <paramref name="centres"/> (k×d, row-major), one per
    /// shard in shard order, as <see cref="KMeansShardAssigner.Statistics"/> computes them: the
    /// inertia only when <paramref name="inertia"/> asks for it (a full pass), else 0.
    /// </summary>
    Task<IReadOnlyList<KMeansStatistics>> KMeansAsync(float[] centres, int clusters, bool inertia, CancellationToken cancellationToken);

    /// <summary>Mixture statistics of the hard nearest-centre assignment of every shard (EM's start from k-means), one per shard in shard order.</summary>
    Task<IReadOnlyList<GaussianMixtureStatistics>> MixtureFromCentresAsync(float[] centres, int clusters, CovarianceType covarianceType, CancellationToken cancellationToken);

    /// <summary>E-step statistics of every shard under <paramref name="model"/>, one per shard in shard order.</summary>
    Task<IReadOnlyList<GaussianMixtureStatistics>> MixtureAsync(GaussianMixtureModel model, CancellationToken cancellationToken);
}
