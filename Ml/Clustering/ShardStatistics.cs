using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// The mixture statistics of one shard that <see cref="ShardedClustering"/> reduces (k-means'
/// are <see cref="KMeansShardAssigner"/>'s): one implementation, used by workers holding one shard
/// and by <see cref="InMemoryShardStatistics"/> alike, so every path computes the same bits for the
/// same shard.
/// </summary>
public static class ShardStatistics
{
    /// <summary>Mixture statistics of the shard's hard nearest-centre labels (EM's start from k-means).</summary>
    public static GaussianMixtureStatistics MixtureFromCentres(Matrix shard, float[] centres, int clusters, CovarianceType covarianceType)
    {
        ArgumentNullException.ThrowIfNull(shard);
        ArgumentNullException.ThrowIfNull(centres);
        var labels = new int[shard.Rows];
        NearestCentre.Assign(shard, centres, clusters, labels, new float[shard.Rows]);
        return GaussianMixtureStatistics.FromLabels(shard, labels, clusters, covarianceType);
    }

    /// <summary>E-step statistics of the shard's rows under <paramref name="model"/>.</summary>
    public static GaussianMixtureStatistics Mixture(Matrix shard, GaussianMixtureModel model) => GaussianMixtureStatistics.Compute(shard, model);
}
