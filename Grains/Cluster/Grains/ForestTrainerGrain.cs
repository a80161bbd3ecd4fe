using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Placement;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Monitoring;
using Distributed.Ml.Forest;
using Orleans.Placement;

namespace Distributed.Grains.Cluster.Grains;

/// <summary>
/// Grows a group of trees on <c>cpu</c> silos, tree t from its own (seed, t) generator, on the
/// job's training set. Binning is seeded too, so every trainer bins alike and the merged groups
/// equal one forest grown in one place.
/// </summary>
[RequireSiloRole(SiloRoles.Cpu)]
[ActivationCountBasedPlacement]
public sealed class ForestTrainerGrain(ShardStore store, SiloOptions silo, ClusterMetrics metrics) : Grain, IForestTrainerGrain
{
    /// <summary>The forest options of a job: the in-process pipeline's (only trees and seed are set).</summary>
    public static RandomForestOptions Options(int trees, ulong seed) => new() { Trees = trees, Seed = seed };

    /// <inheritdoc/>
    public Task<ShardCompleted> GrowTrees(GrowTreeGroup request)
    {
        ArgumentNullException.ThrowIfNull(request);
        return ShardWork.RunAsync(store, silo, metrics, SiloRoles.Cpu, ShardOperation.Forest, request.OutputRef, () =>
        {
            var rows = store.ReadMatrix(request.RowsRef);
            var labels = store.ReadLabels(request.LabelsRef);
            var options = Options(request.FirstTree + request.Count, request.Seed);
            var set = RandomForest.Prepare(rows, labels, options);
            var group = RandomForest.GrowTrees(set, options, request.FirstTree, request.Count);
            store.Write(request.OutputRef, stream => TreeGroupCodec.Write(stream, group, set.Classes, set.Features));
        });
    }
}
