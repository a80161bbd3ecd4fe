using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// The statistics of one shard that <see cref="ShardedClustering"/> reduces: one implementation,
/// used by workers holding one shard and by <see cref="InMemoryShardStatistics"/> alike, so every
/// path computes the same bits for the same shard.
/// </summary>
public static class ShardStatistics
{
    /// <summary>k-means sums, counts and inertia of the shard's rows under <paramref name="centres"/> (k×d, row-major).</summary>
    public static KMeansStatistics KMeans(Matrix shard, float[] centres, int clusters)
    {
        ArgumentNullException.ThrowIfNull(shard);
        ArgumentNullException.ThrowIfNull(centres);
        var labels = new int[shard.Rows];
        var distances = new float[shard.Rows];
        NearestCentre.Assign(shard, centres, clusters, labels, distances);
        return KMeansStatistics.Compute(shard, clusters, labels, distances);
    }

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
