using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Interfaces.Cluster;

namespace Distributed.Grains.Cluster.Grains;

/// <summary>The current model, persisted so that a restarted cluster serves what it served.</summary>
public sealed class ModelRegistryGrain(
    [PersistentState("model-registry", LabellingSiloHosting.StorageName)] IPersistentState<ModelRegistryState> state) : Grain, IModelRegistryGrain
{
    /// <inheritdoc/>
    public async Task Publish(PublishedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        state.State.Current = model;
        await state.WriteStateAsync().ConfigureAwait(true);
    }

    /// <inheritdoc/>
    public Task<PublishedModel?> GetCurrent() => Task.FromResult(state.State.Current);
}
