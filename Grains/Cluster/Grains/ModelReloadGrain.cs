using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Serving;
using MassTransit;

namespace Distributed.Grains.Cluster.Grains;

/// <summary>
/// Swaps the silo's <see cref="Predictor"/> to a new bundle on <see cref="ReloadModel"/>, without
/// dropping requests: the old model serves until the new one is verified. Runs on a queue of its
/// own per silo (<c>predictor-&lt;silo id&gt;</c>), so that every predictor silo gets every reload.
/// </summary>
public sealed class ModelReloadGrain(Predictor predictor) : IConsumer<ReloadModel>
{
    /// <inheritdoc/>
    public Task Consume(ConsumeContext<ReloadModel> context)
    {
        predictor.Swap(context.Message.ModelPath);
        return Task.CompletedTask;
    }
}
