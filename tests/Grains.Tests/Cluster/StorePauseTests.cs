using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Jobs;
using Microsoft.Extensions.DependencyInjection;

namespace Distributed.Grains.Tests.Cluster;

/// <summary>A job whose store fills up mid-job pauses, loses nothing, and finishes as if undisturbed once space is freed.</summary>
public class StorePauseTests
{
    [Fact]
    public async Task AFullDiskPausesTheJobUntilSpaceIsFreed()
    {
        using var temp = new TempDirectory();
        var undisturbed = await ClusterJobTests.RunEmbeddedAsync(temp, "undisturbed");

        var (images, labels) = SyntheticImages.Write(temp.Path);
        var store = temp.File("full-store");
        // The disk fills at the silo's sixth write: after the extractor, inside the shard work.
        var disk = new FillingDisk(fullFromWrite: 6);
        using var host = ClusterJobTests.StartEmbeddedSilo(store, faults: disk);
        var client = new ClusterJobClient(host.Services.GetRequiredService<IGrainFactory>(), ClusterJobTests.Settings);
        var paused = new List<JobStatus>();
        using var timeout = new CancellationTokenSource(ClusterJobTests.JobTimeout);
        var (metrics, _) = await client.RunAsync(new ShardStore(store), new LabellingJobRequest(images, temp.File("out"), ClusterJobTests.Options, labels), status =>
        {
            if (status.Detail?.StartsWith("paused: ", StringComparison.Ordinal) == true)
            {
                Assert.Equal(JobState.Running, status.State);
                paused.Add(status);
                // Seen paused: the operator frees space.
                disk.Free();
            }
        }, timeout.Token);
        await host.StopAsync();

        Assert.NotEmpty(paused);
        Assert.Contains("No space left on device", paused[0].Detail, StringComparison.Ordinal);
        Assert.True(disk.Refused > 0);
        Assert.Equal(undisturbed.Assignments, ClusterJobTests.ReadAssignments(temp.File("out")));
        Assert.Equal(undisturbed.Metrics["accuracy"]!.GetValue<double>(), metrics["accuracy"]!.GetValue<double>());
    }

    /// <summary>A store whose disk is full from its n-th write until <see cref="Free"/>.</summary>
    private sealed class FillingDisk(int fullFromWrite) : IStoreFaults
    {
        private const int NoSpace = 28;
        private int _writes;
        private volatile bool _freed;
        private int _refused;

        public int Refused => _refused;

        public void Free() => _freed = true;

        public void BeforeWrite(string path)
        {
            if (Interlocked.Increment(ref _writes) >= fullFromWrite && !_freed)
            {
                Interlocked.Increment(ref _refused);
                throw new IOException($"No space left on device : '{path}'", NoSpace);
            }
        }
    }
}
