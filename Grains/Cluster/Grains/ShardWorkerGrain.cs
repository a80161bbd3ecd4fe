using System.Diagnostics;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Placement;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Monitoring;
using Distributed.Ml.Clustering;
using Distributed.Ml.Pipeline;
using Distributed.Ml.Refinement;
using Orleans.Placement;

namespace Distributed.Grains.Cluster.Grains;

/// <summary>
/// Shard work on <c>cpu</c> silos, spread by activation count. The activation keeps its shard's
/// rows in memory after the first read, and its k-means bounds per restart between rounds, so clustering
/// rounds cost one (mostly pruned) computation per restart each rather than a store read; a new activation
/// (after its silo died) reads the shard again and answers the same bits.
/// </summary>
[RequireSiloRole(SiloRoles.Cpu)]
[ActivationCountBasedPlacement]
public sealed class ShardWorkerGrain(ShardStore store, SiloOptions silo, ClusterMetrics metrics) : Grain, IShardWorkerGrain
{
    private (string Ref, ShardStatisticsWorker Worker)? _shard;

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
        var worker = Shard(request.DataRef);
        var queries = request.Queries;
        var encoded = await Task.Run(() =>
        {
            // The restarts' queries side by side: each is too little work for every core on its own.
            var answers = new byte[queries.Length][];
            Parallel.For(0, queries.Length, q =>
            {
                var query = queries[q];
                answers[q] = StatisticsCodec.Encode(worker.Answer(new ShardQuery(query.Restart, query.Kind, query.Model, query.CovarianceType)), query.Kind);
            });
            return answers;
        }).ConfigureAwait(true);
        metrics.ShardProcessed(SiloRoles.Cpu, ShardOperation.Statistics);
        return new ShardStatisticsComputed(encoded, silo.SiloId, clock.Elapsed.TotalSeconds);
    }

    /// <inheritdoc/>
    public Task<ShardCompleted> AssignShard(AssignShard request)
    {
        ArgumentNullException.ThrowIfNull(request);
        var rows = Shard(request.DataRef).Rows;
        return ShardWork.RunAsync(store, silo, metrics, SiloRoles.Cpu, ShardOperation.Assign, request.OutputRef, () =>
        {
            var model = store.Read(request.ModelRef, stream => PipelineModel.LoadClusterer(ModelRefs.KindOf(request.ModelRef), stream));
            store.WriteLabels(request.OutputRef, model.Predict(rows));
        });
    }

    /// <inheritdoc/>
    public Task<ShardCompleted> RelabelShard(RelabelShard request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ShardWork.RunAsync(store, silo, metrics, SiloRoles.Cpu, ShardOperation.Relabel, request.OutputRef, () =>
        {
            var model = store.Read(request.ModelRef, CnnClassifierModel.Load);
            var classification = model.Classify(store.ReadMatrix(request.ImagesRef));
            var earlierRounds = request.EarlierRoundsRef is null ? null : store.ReadMatrix(request.EarlierRoundsRef);
            var roundsSum = SelfLabelling.AddRound(earlierRounds, classification.Probabilities);
            store.WriteMatrix(request.RoundsSumRef, roundsSum);
            if (request.FeaturesRef is null)
            {
                store.WriteLabels(request.OutputRef, classification.Labels);
                return;
            }
            store.WriteMatrix(request.FeaturesRef, classification.Features);
            store.WriteLabels(request.OutputRef, SelfLabelling.EnsembleLabels(roundsSum));
        });
    }

    private ShardStatisticsWorker Shard(string reference)
    {
        if (_shard is not { } shard || shard.Ref != reference)
        {
            shard = (reference, new ShardStatisticsWorker(store.ReadMatrix(reference)));
            _shard = shard;
        }
        return shard.Worker;
    }
}
