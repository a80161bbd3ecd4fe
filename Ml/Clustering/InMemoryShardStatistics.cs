using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// <see cref="IShardStatistics"/> over shards held in this process: each shard's statistics as a
/// worker holding it would compute them (<see cref="KMeansShardAssigner"/>, <see cref="ShardStatistics"/>),
/// on the thread pool, answered in shard order.
/// </summary>
public sealed class InMemoryShardStatistics(IReadOnlyList<Matrix> shards) : IShardStatistics
{
    private readonly KMeansShardAssigner[] _assigners = [.. shards.Select(s => new KMeansShardAssigner(s))];

    /// <inheritdoc/>
    public Task<IReadOnlyList<KMeansStatistics>> KMeansAsync(float[] centres, int clusters, bool inertia, CancellationToken cancellationToken) =>
        Task.Run<IReadOnlyList<KMeansStatistics>>(() =>
        {
            // Shards side by side (each answer depends on its shard only): a 10,000-row shard is too
            // little work to keep every core busy on its own.
            var answers = new KMeansStatistics[_assigners.Length];
            Parallel.For(0, _assigners.Length, s => answers[s] = _assigners[s].Statistics(centres, clusters, inertia));
            return answers;
        }, cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<GaussianMixtureStatistics>> MixtureFromCentresAsync(float[] centres, int clusters, CovarianceType covarianceType, CancellationToken cancellationToken) =>
        Task.Run<IReadOnlyList<GaussianMixtureStatistics>>(() => [.. shards.Select(s => ShardStatistics.MixtureFromCentres(s, centres, clusters, covarianceType))], cancellationToken);

    /// <inheritdoc/>
    public Task<IReadOnlyList<GaussianMixtureStatistics>> MixtureAsync(GaussianMixtureModel model, CancellationToken cancellationToken) =>
        Task.Run<IReadOnlyList<GaussianMixtureStatistics>>(() => [.. shards.Select(s => ShardStatistics.Mixture(s, model))], cancellationToken);
}
