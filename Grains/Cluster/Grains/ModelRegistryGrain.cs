using System.Text;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;

namespace Distributed.Grains.Cluster.Grains;

/// <summary>
/// The current model, persisted so that a restarted cluster serves what it served, and named in
/// the store too (<see cref="StoreCollector.CurrentModelMarker"/>) so that <c>store gc</c> keeps it.
/// </summary>
public sealed class ModelRegistryGrain(
    [PersistentState("model-registry", LabellingSiloHosting.StorageName)] IPersistentState<ModelRegistryState> state, ShardStore store) : Grain, IModelRegistryGrain
{
    /// <inheritdoc/>
    public async Task Publish(PublishedModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        // The marker first: a store collection between the two writes keeps a model one step early, never loses one.
        var reference = Encoding.UTF8.GetBytes(model.ModelRef);
        store.Write(StoreCollector.CurrentModelMarker, stream => stream.Write(reference));
        state.State.Current = model;
        await state.WriteStateAsync().ConfigureAwait(true);
    }

    /// <inheritdoc/>
    public Task<PublishedModel?> GetCurrent() => Task.FromResult(state.State.Current);
}
