using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Storage;
using Distributed.Ml.Features;
using Distributed.Ml.Numerics;

namespace Distributed.Grains.Tests.Cluster.Store;

public class ShardRowsTests
{
    [Fact]
    public void PassesOverTheChosenRowsInBlocksWhereverTheShardsSplitThem()
    {
        using var temp = new TempDirectory();
        var (store, manifest, _) = Ingest(temp, perClass: 4, shardSize: 5);
        Assert.Equal([5, 5, 2], manifest.Shards.Select(s => s.Rows));

        // Every row, then shard 0 whole, shard 1 in part and shard 2 whole.
        foreach (int[] rows in new[] { Enumerable.Range(0, 12).ToArray(), [0, 1, 2, 3, 4, 6, 9, 10, 11] })
        {
            var source = new ShardRows(store, manifest, shard => shard.ImagesRef, rows);
            var gathered = ShardIngest.Gather(store, manifest, shard => shard.ImagesRef, rows);
            Assert.Equal((gathered.Rows, gathered.Cols), (source.Rows, source.Cols));
            Assert.Equal(gathered.Data, source.ToMatrix().Data);

            for (var pass = 0; pass < 2; pass++)
            {
                var visits = new List<(int First, int Count)>();
                var joined = new List<float>();
                source.ForEachBlock(4, (block, first, count) =>
                {
                    Assert.Equal(count * source.Cols, block.Length);
                    visits.Add((first, count));
                    joined.AddRange(block.ToArray());
                });
                // Blocks of exactly 4 rows (the last shorter), though the shards hold 5, 5 and 2.
                var expected = Enumerable.Range(0, (rows.Length + 3) / 4).Select(b => (b * 4, Math.Min(4, rows.Length - b * 4)));
                Assert.Equal(expected, visits);
                Assert.Equal(gathered.Data, joined.ToArray());
            }
        }
    }

    [Fact]
    public void ASourceOfAJobsShardsFitsPcaToTheBitsOfTheGatheredRows()
    {
        using var temp = new TempDirectory();
        // 5,000 images in shards of 1,300: PCA's 4,096-row blocks straddle three shards.
        var (store, manifest, _) = Ingest(temp, perClass: 500, shardSize: 1_300, classes: 10);
        var options = new PcaOptions { Components = 20 };

        foreach (var rows in new[] { Enumerable.Range(0, 5_000).ToArray(), new Rng(7).SampleWithoutReplacement(5_000, 4_500) })
        {
            var streamed = Pca.Fit(new ShardRows(store, manifest, shard => shard.ImagesRef, rows), options);
            var gathered = Pca.Fit(ShardIngest.Gather(store, manifest, shard => shard.ImagesRef, rows), options);
            Assert.Equal(Bytes(gathered), Bytes(streamed));
        }
    }

    [Fact]
    public void RefusesRowsOutOfOrderAndAShardShorterThanItsManifest()
    {
        using var temp = new TempDirectory();
        var (store, manifest, imagesPath) = Ingest(temp, perClass: 4, shardSize: 5);

        Assert.Throws<ArgumentException>(() => new ShardRows(store, manifest, shard => shard.ImagesRef, [3, 2]));
        Assert.Throws<ArgumentException>(() => new ShardRows(store, manifest, shard => shard.ImagesRef, [12]));

        // Shard 1 rewritten with 4 of its 5 images: a pass fails naming it, before visiting its rows.
        var shard1 = manifest.Shards[1].ImagesRef;
        store.WriteImages(shard1, ArrayFiles.LoadImagePixels(imagesPath), 5, 4);
        var visited = new List<int>();
        var source = new ShardRows(store, manifest, shard => shard.ImagesRef, [.. Enumerable.Range(0, 12)]);
        var failure = Assert.Throws<InvalidDataException>(() => source.ForEachBlock(5, (_, first, _) => visited.Add(first)));
        Assert.StartsWith(store.PathOf(shard1) + ": expected 5×784 values", failure.Message, StringComparison.Ordinal);
        Assert.Equal([0], visited);
    }

    /// <summary>Synthetic images ingested into a store in <paramref name="temp"/> as a job's shards.</summary>
    private static (ShardStore Store, ShardManifest Manifest, string ImagesPath) Ingest(TempDirectory temp, int perClass, int shardSize, int classes = 3)
    {
        var (imagesPath, _) = SyntheticImages.Write(temp.Path, perClass, classes);
        var store = new ShardStore(temp.File("store"), StoreDurability.Unsynced);
        return (store, ShardIngest.ReadManifest(store, ShardIngest.Ingest(store, Guid.NewGuid(), imagesPath, null, shardSize).ShardsRef), imagesPath);
    }

    private static byte[] Bytes(PcaModel model)
    {
        using var stream = new MemoryStream();
        model.Save(stream);
        return stream.ToArray();
    }
}
