using Distributed.Grains.Cluster.Store;

namespace Distributed.Grains.Tests.Cluster.Store;

public class StoreCollectorTests
{
    [Fact]
    public void RemovesOldJobsAndLeftoversButNotRecentOnesOrTheServedModel()
    {
        using var temp = new TempDirectory();
        var store = new ShardStore(temp.Path);
        var now = new DateTime(2026, 12, 3, 12, 0, 0, DateTimeKind.Utc);
        var old = now - TimeSpan.FromDays(2);
        Write(store, "jobs/finished/shards/00000.npy", 1_000, old);
        Write(store, "jobs/served/outputs/model/manifest.json", 10, old);
        Write(store, "jobs/running/embedding/00000.npy", 10, old);
        // The running job wrote one file an hour ago: the job stays whole.
        Write(store, "jobs/running/cluster/state.bin", 10, now - TimeSpan.FromHours(1));
        Write(store, "models/.features.bin.tmp-0123", 500, old);
        Write(store, "models/.fresh.bin.tmp-4567", 5, now);
        store.Write(StoreCollector.CurrentModelMarker, stream => stream.Write("jobs/served/outputs/model"u8));

        var collected = StoreCollector.Collect(store, TimeSpan.FromDays(1), now);

        Assert.Equal(new StoreCollection(1, 1, 1_500, "served"), collected);
        Assert.False(Directory.Exists(store.PathOf("jobs/finished")));
        Assert.True(File.Exists(store.PathOf("jobs/served/outputs/model/manifest.json")));
        Assert.True(File.Exists(store.PathOf("jobs/running/embedding/00000.npy")));
        Assert.False(File.Exists(store.PathOf("models/.features.bin.tmp-0123")));
        Assert.True(File.Exists(store.PathOf("models/.fresh.bin.tmp-4567")));
    }

    private static void Write(ShardStore store, string reference, int bytes, DateTime written)
    {
        var path = store.PathOf(reference);
        Directory.CreateDirectory(Path.GetDirectoryName(path)!);
        File.WriteAllBytes(path, new byte[bytes]);
        File.SetLastWriteTimeUtc(path, written);
        for (var directory = Path.GetDirectoryName(path)!; directory.Length > store.Root.Length; directory = Path.GetDirectoryName(directory)!)
        {
            Directory.SetLastWriteTimeUtc(directory, written < Directory.GetLastWriteTimeUtc(directory) ? written : Directory.GetLastWriteTimeUtc(directory));
        }
    }
}
