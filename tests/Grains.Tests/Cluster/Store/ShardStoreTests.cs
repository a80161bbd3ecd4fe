using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Storage;
using Distributed.Ml.Data;
using Distributed.Ml.Numerics;

namespace Distributed.Grains.Tests.Cluster.Store;

public class ShardStoreTests
{
    [Theory]
    [InlineData(StoreDurability.Synced)]
    [InlineData(StoreDurability.Unsynced)]
    public void WritesRowsOfAMatrixAndReadsThemBackWhole(StoreDurability durability)
    {
        using var temp = new TempDirectory();
        var store = new ShardStore(temp.Path, durability);
        var source = new Matrix(4, 3, [.. Enumerable.Range(0, 12).Select(v => (float)v)]);

        store.WriteMatrix("jobs/a/rows.npy", source, 1, 2);

        var read = store.ReadMatrix("jobs/a/rows.npy");
        Assert.Equal((2, 3), (read.Rows, read.Cols));
        Assert.Equal(new[] { 3f, 4f, 5f, 6f, 7f, 8f }, read.Data);
        Assert.Equal(3, store.ReadMatrixColumns("jobs/a/rows.npy"));
        // Atomic either way: no temporary sibling is left behind.
        Assert.Equal(["rows.npy"], Directory.GetFiles(store.PathOf("jobs/a")).Select(Path.GetFileName));
    }

    [Fact]
    public void ReadsAMatrixIntoItsRowsOfALargerOne()
    {
        using var temp = new TempDirectory();
        var store = new ShardStore(temp.Path);
        store.WriteMatrix("block.npy", new Matrix(2, 2, [1f, 2f, 3f, 4f]));
        var destination = new Matrix(4, 2);

        store.ReadMatrixInto("block.npy", destination, 1, 2);

        Assert.Equal(new[] { 0f, 0f, 1f, 2f, 3f, 4f, 0f, 0f }, destination.Data);
        var wrongShape = Assert.Throws<InvalidDataException>(() => store.ReadMatrixInto("block.npy", new Matrix(4, 1), 0, 4));
        Assert.StartsWith(store.PathOf("block.npy") + ": expected a 4×1 array, got (2, 2)", wrongShape.Message);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public void GatherAndConcatenateReadWholeAndPartialShardsAlike(bool floatInput)
    {
        using var temp = new TempDirectory();
        var (imagesPath, labelsPath) = SyntheticImages.Write(temp.Path, perClass: 4, classes: 3);
        var images = ArrayFiles.LoadImages(imagesPath);
        if (floatInput)
        {
            // The same images already scaled to [0, 1], as float32.
            imagesPath = temp.File("images-float.npy");
            using var file = File.Create(imagesPath);
            NpyWriter.Write(file, images.Data, images.Rows, images.Cols);
        }
        var store = new ShardStore(temp.File("store"), StoreDurability.Unsynced);
        var ingested = ShardIngest.Ingest(store, Guid.NewGuid(), imagesPath, labelsPath, shardSize: 5);
        var manifest = ShardIngest.ReadManifest(store, ingested.ShardsRef);
        Assert.Equal([5, 5, 2], manifest.Shards.Select(s => s.Rows));
        // A uint8 input is kept as its bytes, a quarter of the floats' size; a float input as its floats.
        using (var shard = File.OpenRead(store.PathOf(manifest.Shards[0].ImagesRef)))
        {
            var header = NpyHeader.Read(shard);
            Assert.Equal(floatInput ? NpyDType.Float32 : NpyDType.UInt8, header.DType);
            Assert.Equal([5, 784], header.Shape);
        }
        // Either way the shards read back as the very floats of the input decoded whole.
        Assert.Equal(images.RowBlock(5, 5).ToArray(), store.ReadMatrix(manifest.Shards[1].ImagesRef).Data);

        // Shard 0 whole, shard 1 in part, shard 2 whole.
        int[] rows = [0, 1, 2, 3, 4, 6, 9, 10, 11];
        var gathered = ShardIngest.Gather(store, manifest, shard => shard.ImagesRef, rows);
        Assert.Equal((rows.Length, images.Cols), (gathered.Rows, gathered.Cols));
        for (var i = 0; i < rows.Length; i++)
        {
            Assert.Equal(images.Row(rows[i]).ToArray(), gathered.Row(i).ToArray());
        }

        var all = ShardIngest.Concatenate(store, manifest, shard => shard.ImagesRef);
        Assert.Equal(images.Data, all.Data);
    }

    [Fact]
    public void ReadsAMatrixInBlocksOfRowsAsItReadsItWhole()
    {
        using var temp = new TempDirectory();
        var store = new ShardStore(temp.Path, StoreDurability.Unsynced);
        var bytes = Enumerable.Range(0, 7 * 784).Select(v => (byte)(v * 7919 % 256)).ToArray();
        using (var file = File.Create(store.PathOf("pixels.npy")))
        {
            NpyWriter.Write(file, bytes, 7, 784);
        }
        store.WriteMatrix("floats.npy", new Matrix(7, 3, [.. Enumerable.Range(0, 21).Select(v => v * 0.37f)]));

        foreach (var reference in new[] { "pixels.npy", "floats.npy" })
        {
            var whole = store.ReadMatrix(reference);
            var joined = new List<float>();
            var visits = new List<(int First, int Rows, int Total)>();
            var blocks = new List<Matrix>();
            store.ReadMatrixBlocks(reference, 3, (block, first, total) =>
            {
                Assert.Equal(whole.Cols, block.Cols);
                joined.AddRange(block.Data);
                visits.Add((first, block.Rows, total));
                blocks.Add(block);
            });
            Assert.Equal(whole.Data, joined.ToArray());
            Assert.Equal([(0, 3, 7), (3, 3, 7), (6, 1, 7)], visits);
            // One buffer for the whole blocks; the short last block has its own.
            Assert.Same(blocks[0], blocks[1]);
        }

        // A truncated file fails before its first block, named by its path.
        File.WriteAllBytes(store.PathOf("short.npy"), File.ReadAllBytes(store.PathOf("floats.npy"))[..^4]);
        var visited = false;
        var truncated = Assert.Throws<InvalidDataException>(() => store.ReadMatrixBlocks("short.npy", 3, (_, _, _) => visited = true));
        Assert.StartsWith(store.PathOf("short.npy") + ": ", truncated.Message, StringComparison.Ordinal);
        Assert.False(visited);
        using (var file = File.Create(store.PathOf("ints.npy")))
        {
            NpyWriter.Write(file, (ReadOnlySpan<int>)[1, 2, 3, 4], 2, 2);
        }
        var ints = Assert.Throws<InvalidDataException>(() => store.ReadMatrixBlocks("ints.npy", 3, (_, _, _) => { }));
        Assert.StartsWith(store.PathOf("ints.npy") + ": expected float32 data or pixel bytes, got <i4", ints.Message, StringComparison.Ordinal);
    }
}
