using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// <see cref="IShardStatistics"/> over shards held in this process: each shard's statistics as a
/// worker holding it would compute them (<see cref="ShardStatistics"/>), one shard after the other
/// (each computation is parallel inside) on the thread pool, answered in shard order.
/// </summary>
public sealed class InMemoryShardStatistics(IReadOnlyList<Matrix> shards) : IShardStatistics
{
    /// <inheritdoc/>
    public Task<IReadOnlyList<KMeansStatistics>> KMeansAsync(float[] centres, int clusters, CancellationToken cancellationToken) =>
        Task.Run<IReadOnlyList<KMeansStatistics>>(() => [.. shards.Select(s => ShardStatistics.KMeans(s, centres, clusters))], cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<GaussianMixtureStatistics>> MixtureFromCentresAsync(float[] centres, int clusters, CovarianceType covarianceType, CancellationToken cancellationToken) =>
        Task.Run<IReadOnlyList<GaussianMixtureStatistics>>(() => [.. shards.Select(s => ShardStatistics.MixtureFromCentres(s, centres, clusters, covarianceType))], cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<GaussianMixtureStatistics>> MixtureAsync(GaussianMixtureModel model, CancellationToken cancellationToken) =>
        Task.Run<IReadOnlyList<GaussianMixtureStatistics>>(() => [.. shards.Select(s => ShardStatistics.Mixture(s, model))], cancellationToken);
}
