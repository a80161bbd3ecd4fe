namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>
/// Grows one group of a job's forest, keyed <c>&lt;job&gt;/&lt;first tree&gt;</c> and placed on
/// <c>cpu</c> silos. Each tree grows from its own (seed, tree) generator, so the groups merged in
/// order equal one forest grown in one place.
/// </summary>
public interface IForestTrainerGrain : IGrainWithStringKey
{
    /// <summary>Grows the trees and writes the group to the store.</summary>
    [ResponseTimeout("00:30:00")]
    Task<ShardCompleted> GrowTrees(GrowTreeGroup request);
}
