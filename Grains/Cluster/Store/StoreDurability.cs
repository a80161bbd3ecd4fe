namespace Distributed.Grains.Cluster.Store;

/// <summary>Whether a <see cref="ShardStore"/> syncs its writes to disk.</summary>
public enum StoreDurability
{
    /// <summary>
    /// Every write reaches the disk before it counts: a cluster's jobs keep their checkpoints in
    /// Redis and resume after a silo or the machine dies, reading what the store holds.
    /// </summary>
    Synced,

    /// <summary>
    /// Writes are atomic but stay in the page cache: for a silo whose grain state is in memory
    /// (the Client's embedded silo, a Silo without Redis), whose jobs die with the process, so
    /// nothing would ever read the store's files after a crash. Saves a sync per shard and model.
    /// </summary>
    Unsynced,
}
