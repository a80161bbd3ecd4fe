using System.Collections.Concurrent;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// Answers <see cref="ShardQuery"/>s on one shard for whoever holds it (a worker grain, or
/// <see cref="InMemoryShardStatistics"/>): the one implementation of a shard's statistics, so every
/// path computes the same bits for the same shard. k-means bounds are kept per restart
/// (<see cref="KMeansShardAssigner"/>), because <see cref="ShardedClustering"/> advances its
/// restarts side by side; queries of different restarts may be answered concurrently.
/// </summary>
public sealed class ShardStatisticsWorker
{
    private readonly Matrix _shard;
    private readonly Lazy<float[]> _rowSquaredNorms;
    private readonly Lazy<int[][]> _inexactColumns;
    private readonly ConcurrentDictionary<int, KMeansShardAssigner> _assigners = new();

    /// <summary>A worker for the rows of <paramref name="shard"/>.</summary>
    public ShardStatisticsWorker(Matrix shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        _shard = shard;
        _rowSquaredNorms = new(() => NearestCentre.RowSquaredNorms(shard.Data, shard.Rows, shard.Cols));
        _inexactColumns = new(() => KMeansShardAssigner.InexactColumns(shard));
    }

    /// <summary>The shard's rows.</summary>
    public Matrix Rows => _shard;

    /// <summary>The shard's statistics for <paramref name="query"/>.</summary>
    public ShardAnswer Answer(ShardQuery query)
    {
        ArgumentNullException.ThrowIfNull(query);
        switch (query.Kind)
        {
            case ShardQueryKind.KMeans or ShardQueryKind.KMeansInertia:
            {
                var centres = KMeansModel.Load(new MemoryStream(query.Model));
                var assigner = _assigners.GetOrAdd(query.Restart, _ => new KMeansShardAssigner(_shard, _rowSquaredNorms.Value, _inexactColumns.Value));
                return ShardAnswer.Of(assigner.Statistics(centres.Centres, centres.ClusterCount, inertia: query.Kind == ShardQueryKind.KMeansInertia));
            }
            case ShardQueryKind.MixtureFromCentres:
            {
                var centres = KMeansModel.Load(new MemoryStream(query.Model));
                var labels = new int[_shard.Rows];
                NearestCentre.Assign(_shard, centres.Centres, centres.ClusterCount, labels, new float[_shard.Rows]);
                // The restart's k-means is over: its bounds are no longer needed.
                _assigners.TryRemove(query.Restart, out _);
                return ShardAnswer.Of(GaussianMixtureStatistics.FromLabels(_shard, labels, centres.ClusterCount, query.CovarianceType));
            }
            case ShardQueryKind.Mixture:
                return ShardAnswer.Of(GaussianMixtureStatistics.Compute(_shard, GaussianMixtureModel.Load(new MemoryStream(query.Model))));
            default:
                throw new ArgumentException($"unknown shard query kind {query.Kind}", nameof(query));
        }
    }
}
