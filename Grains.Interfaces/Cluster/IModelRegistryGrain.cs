namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>
/// Knows the current model (one grain, key 0, persisted). A completed job publishes its bundle
/// here; every predictor silo follows it and swaps to the new bundle without a restart, keeping the
/// old model if the new one fails to load.
/// </summary>
public interface IModelRegistryGrain : IGrainWithIntegerKey
{
    /// <summary>Makes <paramref name="model"/> the current one.</summary>
    Task Publish(PublishedModel model);

    /// <summary>The current model, or null before any is published.</summary>
    Task<PublishedModel?> GetCurrent();
}
