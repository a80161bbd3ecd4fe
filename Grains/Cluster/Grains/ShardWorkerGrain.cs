using System.Diagnostics;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Placement;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Monitoring;
using Distributed.Ml.Clustering;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;
using Orleans.Placement;

namespace Distributed.Grains.Cluster.Grains;

/// <summary>
/// Shard work on <c>cpu</c> silos, spread by activation count. The activation keeps its shard's
/// rows in memory after the first read, and its k-means bounds between iterations, so clustering
/// iterations cost one (mostly pruned) computation each rather than a store read; a new activation
/// (after its silo died) reads the shard again and answers the same bits.
/// </summary>
[RequireSiloRole(SiloRoles.Cpu)]
[ActivationCountBasedPlacement]
public sealed class ShardWorkerGrain(ShardStore store, SiloOptions silo, ClusterMetrics metrics) : Grain, IShardWorkerGrain
{
    private (string Ref, Matrix Rows, KMeansShardAssigner Assigner)? _shard;

    /// <inheritdoc/>
    public Task<ShardCompleted> EmbedShard(EmbedShard request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ShardWork.RunAsync(store, silo, metrics, SiloRoles.Cpu, ShardOperation.Embed, request.OutputRef, () =>
            store.WriteMatrix(request.OutputRef, store.ReadTransform(request.ModelRef).Transform(store.ReadMatrix(request.FeaturesRef))));
    }

    /// <inheritdoc/>
    public async Task<ShardStatisticsComputed> ComputeStatistics(ComputeShardStatistics request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var clock = Stopwatch.StartNew();
        var (rows, assigner) = Shard(request.DataRef);
        var encoded = await Task.Run(() =>
        {
            using var stream = new MemoryStream();
            switch (request.Kind)
            {
                case StatisticsKind.KMeans or StatisticsKind.KMeansInertia:
                {
                    var centres = KMeansModel.Load(new MemoryStream(request.Model));
                    StatisticsCodec.Write(stream, assigner.Statistics(centres.Centres, centres.ClusterCount, inertia: request.Kind == StatisticsKind.KMeansInertia));
                    break;
                }
                case StatisticsKind.MixtureFromCentres:
                {
                    var centres = KMeansModel.Load(new MemoryStream(request.Model));
                    StatisticsCodec.Write(stream, ShardStatistics.MixtureFromCentres(rows, centres.Centres, centres.ClusterCount, request.CovarianceType));
                    break;
                }
                case StatisticsKind.Mixture:
                    StatisticsCodec.Write(stream, ShardStatistics.Mixture(rows, GaussianMixtureModel.Load(new MemoryStream(request.Model))));
                    break;
                default:
                    throw new ArgumentException($"unknown statistics kind {request.Kind}");
            }
            return stream.ToArray();
        }).ConfigureAwait(true);
        metrics.ShardProcessed(SiloRoles.Cpu, ShardOperation.Statistics);
        return new ShardStatisticsComputed(encoded, silo.SiloId, clock.Elapsed.TotalSeconds);
    }

    /// <inheritdoc/>
    public Task<ShardCompleted> AssignShard(AssignShard request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var (rows, _) = Shard(request.DataRef);
        return ShardWork.RunAsync(store, silo, metrics, SiloRoles.Cpu, ShardOperation.Assign, request.OutputRef, () =>
        {
            var model = store.Read(request.ModelRef, stream => PipelineModel.LoadClusterer(ModelRefs.KindOf(request.ModelRef), stream));
            store.WriteLabels(request.OutputRef, model.Predict(rows));
        });
    }

    private (Matrix Rows, KMeansShardAssigner Assigner) Shard(string reference)
    {
        if (_shard is not { } shard || shard.Ref != reference)
        {
            var rows = store.ReadMatrix(reference);
            shard = (reference, rows, new KMeansShardAssigner(rows));
            _shard = shard;
        }
        return (shard.Rows, shard.Assigner);
    }
}
