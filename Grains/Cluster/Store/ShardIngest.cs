using System.Text.Json;
using Distributed.Grains.Storage;
using Distributed.Ml.Data;
using Distributed.Ml.Numerics;

namespace Distributed.Grains.Cluster.Store;

/// <summary>Receives a chosen row of a shard and its index among the chosen rows.</summary>
internal delegate void ChosenRowVisitor(ReadOnlySpan<float> row, int index);

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
        foreach (var (shard, from, to) in ByShard(manifest, globalRows))
        {
            var reference = shardRef(shard);
            result ??= new Matrix(globalRows.Length, store.ReadMatrixColumns(reference));
            if (to - from == shard.Rows)
            {
                // Every row of the shard, in order (a sample as large as the data): straight into place.
                store.ReadMatrixInto(reference, result, from, shard.Rows);
            }
            else
            {
                var gathered = result;
                ForEachChosenRow(store, shard, reference, result.Cols, globalRows, from, to, (row, i) => row.CopyTo(gathered.Row(i)));
            }
        }
        return result ?? throw new ArgumentException("no rows to gather", nameof(globalRows));
    }

    /// <summary>
    /// The shards holding rows <paramref name="globalRows"/> (ascending), in shard order, each with
    /// the range [From, To) of indices into <paramref name="globalRows"/> of its rows.
    /// </summary>
    /// <exception cref="ArgumentException">A row lies beyond the manifest's rows (raised once the shards before it are enumerated).</exception>
    internal static IEnumerable<(ShardInfo Shard, int From, int To)> ByShard(ShardManifest manifest, int[] globalRows)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(globalRows);
        var next = 0;
        foreach (var shard in manifest.Shards)
        {
            var end = next;
            while (end < globalRows.Length && globalRows[end] < shard.FirstRow + shard.Rows)
            {
                end++;
            }
            if (end > next)
            {
                yield return (shard, next, end);
            }
            next = end;
        }
        if (next != globalRows.Length)
        {
            throw new ArgumentException($"row {globalRows[next]} is beyond the job's {manifest.Images} rows", nameof(globalRows));
        }
    }

    /// <summary>Rows of one shard's file read at a time by <see cref="ForEachChosenRow"/>: its buffers stay small whatever the shard's size.</summary>
    private const int ChosenRowsBlock = 512;

    /// <summary>
    /// Visits rows <paramref name="globalRows"/>[<paramref name="from"/>..<paramref name="to"/>)
    /// (ascending, all in <paramref name="shard"/>) of the shard's matrix <paramref name="reference"/>,
    /// each with its index in <paramref name="globalRows"/>, reading the file a block of rows at a time:
    /// a shard read whole for a few of its rows would be a matrix of its own (31 MB of floats for
    /// 10,000 images), first-touched page by page.
    /// </summary>
    /// <exception cref="InvalidDataException">The file is malformed, or holds other rows or columns than <paramref name="shard"/> and <paramref name="cols"/> say (named by its path).</exception>
    internal static void ForEachChosenRow(ShardStore store, ShardInfo shard, string reference, int cols, int[] globalRows, int from, int to, ChosenRowVisitor visit)
    {
        var next = from;
        store.ReadMatrixBlocks(reference, ChosenRowsBlock, (block, first, total) =>
        {
            if (total != shard.Rows || block.Cols != cols)
            {
                throw new DataFormatException($"expected {shard.Rows}×{cols} values as the job's manifest and first shard say, got {total}×{block.Cols}");
            }
            var past = shard.FirstRow + first + block.Rows;
            for (; next < to && globalRows[next] < past; next++)
            {
                visit(block.Row(globalRows[next] - shard.FirstRow - first), next);
            }
        });
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
