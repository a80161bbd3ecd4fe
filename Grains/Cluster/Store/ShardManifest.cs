namespace Distributed.Grains.Cluster.Store;

/// <summary>The shards of one job's input images, in order; written once by the ingest.</summary>
/// <param name="Images">Total number of images.</param>
/// <param name="Shards">The shards, by index.</param>
public sealed record ShardManifest(int Images, IReadOnlyList<ShardInfo> Shards)
{
    /// <summary>File name of the manifest in the job directory.</summary>
    public const string FileName = "shards.json";
}

/// <summary>One shard of images.</summary>
/// <param name="Index">Shard index.</param>
/// <param name="FirstRow">Global index of its first image.</param>
/// <param name="Rows">Number of images.</param>
/// <param name="ImagesRef">Store reference of its images (float32 .npy, rows×784, in [0, 1]).</param>
public sealed record ShardInfo(int Index, int FirstRow, int Rows, string ImagesRef);
