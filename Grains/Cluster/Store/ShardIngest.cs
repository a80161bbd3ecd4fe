using System.Text.Json;
using Distributed.Grains.Storage;
using Distributed.Ml.Numerics;

namespace Distributed.Grains.Cluster.Store;

/// <summary>Splits an input file of images into shards in the store, with their manifest; copies labels too.</summary>
public static class ShardIngest
{
    /// <summary>Default images per shard: one shard is one short piece of work (seconds) yet few enough messages per pass.</summary>
    public const int DefaultShardSize = 10_000;

    /// <summary>
    /// Reads the inputs and writes <c>jobs/&lt;id&gt;/shards/*.npy</c>, <c>shards.json</c>, and
    /// <c>labels.npy</c> / <c>known-labels.npy</c> when those files are given. Returns their references.
    /// </summary>
    /// <exception cref="InputFileException">An input file is unusable.</exception>
    public static IngestedJob Ingest(ShardStore store, Guid jobId, string imagesPath, string? labelsPath, int shardSize = DefaultShardSize,
        string? knownLabelsPath = null)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentOutOfRangeException.ThrowIfLessThan(shardSize, 1);
        var images = ArrayFiles.LoadImagePixels(imagesPath);
        var labels = ArrayFiles.LoadLabelsFor(labelsPath, imagesPath, images.Count);
        var knownLabels = ArrayFiles.LoadLabelsFor(knownLabelsPath, imagesPath, images.Count);
        var job = ShardStore.JobRef(jobId);
        var shards = new List<ShardInfo>();
        for (var first = 0; first < images.Count; first += shardSize)
        {
            var rows = Math.Min(shardSize, images.Count - first);
            var reference = $"{job}/shards/{shards.Count:D5}.npy";
            store.WriteImages(reference, images, first, rows);
            shards.Add(new ShardInfo(shards.Count, first, rows, reference));
        }
        var labelsRef = WriteLabels(store, labels, $"{job}/labels.npy");
        var knownLabelsRef = WriteLabels(store, knownLabels, $"{job}/known-labels.npy");
        var manifestRef = $"{job}/{ShardManifest.FileName}";
        var manifest = new ShardManifest(images.Count, shards);
        store.Write(manifestRef, stream => JsonSerializer.Serialize(stream, manifest, Json.Options));
        return new IngestedJob(manifestRef, labelsRef, knownLabelsRef);
    }

    private static string? WriteLabels(ShardStore store, int[]? labels, string reference)
    {
        if (labels is null)
        {
            return null;
        }
        store.WriteLabels(reference, labels);
        return reference;
    }

    /// <summary>Reads a manifest.</summary>
    public static ShardManifest ReadManifest(ShardStore store, string reference) =>
        store.Read(reference, stream => JsonSerializer.Deserialize<ShardManifest>(stream, Json.Options))
        ?? throw new InvalidDataException($"{store.PathOf(reference)}: empty shard manifest");

    /// <summary>Rows <paramref name="globalRows"/> (ascending) gathered from a set of per-shard matrices.</summary>
    public static Matrix Gather(ShardStore store, ShardManifest manifest, Func<ShardInfo, string> shardRef, int[] globalRows)
    {
        ArgumentNullException.ThrowIfNull(store);
        Matrix? result = null;
        var next = 0;
        foreach (var shard in manifest.Shards)
        {
            var end = next;
            while (end < globalRows.Length && globalRows[end] < shard.FirstRow + shard.Rows)
            {
                end++;
            }
            if (end == next)
            {
                continue;
            }
            var reference = shardRef(shard);
            result ??= new Matrix(globalRows.Length, store.ReadMatrixColumns(reference));
            if (end - next == shard.Rows)
            {
                // Every row of the shard, in order (a sample as large as the data): straight into place.
                store.ReadMatrixInto(reference, result, next, shard.Rows);
            }
            else
            {
                var data = store.ReadMatrix(reference);
                for (var i = next; i < end; i++)
                {
                    data.Row(globalRows[i] - shard.FirstRow).CopyTo(result.Row(i));
                }
            }
            next = end;
        }
        return result ?? throw new ArgumentException("no rows to gather", nameof(globalRows));
    }

    /// <summary>All shards' labels (int32 .npy) joined in shard order.</summary>
    public static int[] ConcatenateLabels(ShardStore store, ShardManifest manifest, Func<ShardInfo, string> shardRef)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(manifest);
        var labels = new int[manifest.Images];
        foreach (var shard in manifest.Shards)
        {
            store.ReadLabels(shardRef(shard)).CopyTo(labels, shard.FirstRow);
        }
        return labels;
    }

    /// <summary>All shards' matrices stacked in shard order.</summary>
    public static Matrix Concatenate(ShardStore store, ShardManifest manifest, Func<ShardInfo, string> shardRef)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(manifest);
        Matrix? result = null;
        foreach (var shard in manifest.Shards)
        {
            var reference = shardRef(shard);
            result ??= new Matrix(manifest.Images, store.ReadMatrixColumns(reference));
            store.ReadMatrixInto(reference, result, shard.FirstRow, shard.Rows);
        }
        return result!;
    }
}
