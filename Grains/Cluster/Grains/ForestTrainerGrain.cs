using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Ml.Forest;
using MassTransit;

namespace Distributed.Grains.Cluster.Grains;

/// <summary>
/// Forest-trainer grain (cpu role): grows a group of trees, tree t from its own (seed, t)
/// generator, on the job's training set. Binning is seeded too, so every trainer bins alike and
/// the merged groups equal one forest grown in one place.
/// </summary>
public sealed class ForestTrainerGrain(GrainContext grain) : IConsumer<GrowTreeGroup>
{
    /// <summary>The forest options of a job: the embedded pipeline's (only trees and seed are set).</summary>
    public static RandomForestOptions Options(int trees, ulong seed) => new() { Trees = trees, Seed = seed };

    /// <inheritdoc/>
    public Task Consume(ConsumeContext<GrowTreeGroup> context)
    {
        var request = context.Message;
        return grain.Complete(context, request.JobId, request.FirstTree, request.OutputRef, () =>
        {
            var rows = grain.Store.ReadMatrix(request.RowsRef);
            var labels = grain.Store.ReadLabels(request.LabelsRef);
            var options = Options(request.FirstTree + request.Count, request.Seed);
            var set = RandomForest.Prepare(rows, labels, options);
            var group = RandomForest.GrowTrees(set, options, request.FirstTree, request.Count);
            grain.Store.Write(request.OutputRef, stream => TreeGroupCodec.Write(stream, group, set.Classes, set.Features));
        });
    }
}
