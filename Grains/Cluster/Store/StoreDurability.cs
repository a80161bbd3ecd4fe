namespace Distributed.Grains.Cluster.Store;

/// <summary>Whether a <see cref="ShardStore"/> syncs its writes to disk, or keeps its arrays in memory.</summary>
public enum StoreDurability
{
    /// <summary>
    /// Every write reaches the disk before it counts: a cluster's jobs keep their checkpoints in
    /// Redis and resume after a silo or the machine dies, reading what the store holds.
    /// </summary>
    Synced,

    /// <summary>
    /// Writes are atomic but stay in the page cache: for a silo whose grain state is in memory
    /// (a Silo without Redis), whose jobs die with the process, so nothing would ever read the
    /// store's files after a crash. Saves a sync per shard and model.
    /// </summary>
    Unsynced,

    /// <summary>
    /// As <see cref="Unsynced"/>, and the arrays (shards, features, embeddings, labels) are kept in
    /// this process's memory instead of files: for the Client's embedded silo without
    /// <c>--store</c>, where the one process that writes the store is the only one that reads it and
    /// the store is removed when the run ends. Writing a shard and reading it back through the page
    /// cache cost seconds of copies per 60,000 images that the direct library path never pays.
    /// </summary>
    ProcessMemory,
}
