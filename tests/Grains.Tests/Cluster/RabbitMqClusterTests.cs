using Distributed.Grains.Cluster.Coordinator;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Jobs;
using Distributed.Grains.Storage;
using Distributed.Ml.Pipeline;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Distributed.Grains.Tests.Cluster;

/// <summary>
/// The cluster for real: a private RabbitMQ node and Silo processes with split roles on loopback.
/// Silos are stopped mid-job (SIGTERM, SIGKILL, the coordinator itself) and the broker restarted;
/// every job still completes, with assignments and forest identical to the embedded run. Bounded in
/// time; every process is stopped whatever happens.
/// </summary>
public class RabbitMqClusterTests
{
    private static readonly TimeSpan s_testTimeout = TimeSpan.FromMinutes(5);

    private static readonly PipelineOptions s_options = ClusterJobTests.Options with { Gmm = new PipelineOptions().Gmm with { Restarts = 3 } };

    private static readonly ClusterJobSettings s_settings = ClusterJobTests.Settings with { ShardSize = 150, UmapSampleRows = 400, PollInterval = TimeSpan.FromMilliseconds(100) };

    [Fact]
    public async Task ThreeSiloProcessesSurviveASigkilledSiloAndMatchTheEmbeddedRun()
    {
        using var timeout = new CancellationTokenSource(s_testTimeout);
        using var temp = new TempDirectory();
        var (images, labels) = SyntheticImages.Write(temp.Path, perClass: 500);
        var request = new LabellingJobRequest(images, temp.File("embedded"), s_options, labels);
        await RunEmbeddedAsync(request, temp.File("embedded-store"), timeout.Token);

        using var broker = RabbitMqBroker.Start();
        var store = temp.File("cluster-store");
        Directory.CreateDirectory(store);
        using var coordinator = new SiloProcess("coordinator,gpu,cpu", broker.Uri, store, "silo-a");
        using var victim = new SiloProcess("gpu,cpu", broker.Uri, store, "silo-b");
        using var worker = new SiloProcess("cpu,predictor", broker.Uri, store, "silo-c");

        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddClusterClient(broker.Uri);
        using var clientHost = builder.Build();
        await clientHost.StartAsync(timeout.Token);
        var shardStore = new ShardStore(store);
        var cluster = new ClusterJobClient(clientHost.Services.GetRequiredService<IBus>(), shardStore, s_settings);

        // All three silos must be up (heard by the coordinator) before the job starts, or the kill proves nothing.
        while ((await cluster.StatusAsync(timeout.Token)).Silos.Count < 3)
        {
            Assert.False(coordinator.HasExited || victim.HasExited || worker.HasExited, $"a silo exited at start:\n{coordinator.Log}\n{victim.Log}\n{worker.Log}");
            await Task.Delay(200, timeout.Token);
        }

        var killed = false;
        Task<int?>? terminated = null;
        var clusterRun = cluster.RunAsync(request with { OutputDirectory = temp.File("cluster") }, status =>
        {
            // silo-c is stopped as Kubernetes stops a pod (SIGTERM: drain, then exit), silo-b is lost.
            if (terminated is null && status.Phase == JobPhases.Reduce)
            {
                terminated = Task.Run(() => worker.Terminate(TimeSpan.FromSeconds(90)));
            }
            if (!killed && status.Phase == JobPhases.Cluster)
            {
                killed = true;
                victim.Kill();
            }
        }, timeout.Token);
        var metrics = await clusterRun;

        Assert.True(killed, "the job finished before silo-b could be killed mid-job");
        Assert.True(victim.HasExited);
        Assert.NotNull(terminated);
        Assert.True(await terminated == 0, $"silo-c did not exit 0 within 90 s of SIGTERM (exit {await terminated}):\n{worker.Log}");
        Assert.Equal(ClusterJobTests.ReadAssignments(temp.File("embedded")), ClusterJobTests.ReadAssignments(temp.File("cluster")));
        var expected = ModelBundle.Load(Path.Combine(temp.File("embedded"), JobOutputs.Model)).Manifest;
        var actual = ModelBundle.Load(Path.Combine(temp.File("cluster"), JobOutputs.Model)).Manifest;
        Assert.Equal(expected.Stages.Select(s => s.Sha256), actual.Stages.Select(s => s.Sha256));
        Assert.Equal(1.0, metrics["accuracy"]!.GetValue<double>());

        var status = await cluster.StatusAsync(timeout.Token);
        Assert.DoesNotContain(status.Silos, s => s.SiloId is "silo-b" or "silo-c" && s.SentUtc > DateTimeOffset.UtcNow.AddSeconds(-1));
        Assert.Contains(status.Jobs, j => j.State == JobStates.Completed);
        await clientHost.StopAsync(timeout.Token);
    }

    [Fact]
    public async Task ABrokerRestartMidJobNeitherLosesTheJobNorChangesItsResult()
    {
        using var timeout = new CancellationTokenSource(s_testTimeout);
        using var temp = new TempDirectory();
        var (images, labels) = SyntheticImages.Write(temp.Path, perClass: 300);
        var request = new LabellingJobRequest(images, temp.File("embedded"), s_options, labels);
        await RunEmbeddedAsync(request, temp.File("embedded-store"), timeout.Token);

        using var broker = RabbitMqBroker.Start();
        var store = temp.File("cluster-store");
        Directory.CreateDirectory(store);
        // A short shard timeout: answers lost with the broker's temporary queues are asked for again within seconds.
        using var coordinator = new SiloProcess("coordinator,gpu,cpu", broker.Uri, store, "silo-a", "--shard-timeout-s", "10");
        using var worker = new SiloProcess("cpu", broker.Uri, store, "silo-b");
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        builder.Services.AddClusterClient(broker.Uri);
        using var clientHost = builder.Build();
        await clientHost.StartAsync(timeout.Token);
        var cluster = new ClusterJobClient(clientHost.Services.GetRequiredService<IBus>(), new ShardStore(store), s_settings);
        while ((await cluster.StatusAsync(timeout.Token)).Silos.Count < 2)
        {
            Assert.False(coordinator.HasExited || worker.HasExited, $"a silo exited at start:\n{coordinator.Log}\n{worker.Log}");
            await Task.Delay(200, timeout.Token);
        }

        var restarted = false;
        await cluster.RunAsync(request with { OutputDirectory = temp.File("cluster") }, status =>
        {
            if (!restarted && status.Phase == JobPhases.Cluster)
            {
                restarted = true;
                broker.Restart();
            }
        }, timeout.Token);

        Assert.True(restarted, "the job finished before the broker could be restarted mid-job");
        Assert.Equal(ClusterJobTests.ReadAssignments(temp.File("embedded")), ClusterJobTests.ReadAssignments(temp.File("cluster")));
        var expected = ModelBundle.Load(Path.Combine(temp.File("embedded"), JobOutputs.Model)).Manifest;
        var actual = ModelBundle.Load(Path.Combine(temp.File("cluster"), JobOutputs.Model)).Manifest;
        Assert.Equal(expected.Stages.Select(s => s.Sha256), actual.Stages.Select(s => s.Sha256));
        await clientHost.StopAsync(timeout.Token);
    }

    [Fact]
    public async Task WhenTheCoordinatorRunningAJobIsKilledTheOtherCoordinatorTakesItOverToTheSameResult()
    {
        using var timeout = new CancellationTokenSource(s_testTimeout);
        using var temp = new TempDirectory();
        var (images, labels) = SyntheticImages.Write(temp.Path, perClass: 300);
        var request = new LabellingJobRequest(images, temp.File("embedded"), s_options, labels);
        await RunEmbeddedAsync(request, temp.File("embedded-store"), timeout.Token);

        using var broker = RabbitMqBroker.Start();
        var store = temp.File("cluster-store");
        Directory.CreateDirectory(store);
        // Short leases so that the take-over happens within seconds; a short shard timeout re-asks for
        // answers that went to the dead coordinator's response queue.
        string[] coordinatorFlags = ["--lease-s", "4", "--shard-timeout-s", "10"];
        var silos = new Dictionary<string, SiloProcess>
        {
            ["silo-a"] = new("coordinator,gpu,cpu", broker.Uri, store, "silo-a", coordinatorFlags),
            ["silo-b"] = new("coordinator,gpu,cpu", broker.Uri, store, "silo-b", coordinatorFlags),
        };
        try
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.Services.AddClusterClient(broker.Uri);
            using var clientHost = builder.Build();
            await clientHost.StartAsync(timeout.Token);
            var shardStore = new ShardStore(store);
            var cluster = new ClusterJobClient(clientHost.Services.GetRequiredService<IBus>(), shardStore, s_settings);
            while ((await cluster.StatusAsync(timeout.Token)).Silos.Count < 2)
            {
                Assert.False(silos.Values.Any(s => s.HasExited), $"a silo exited at start:\n{string.Join("\n", silos.Values.Select(s => s.Log))}");
                await Task.Delay(200, timeout.Token);
            }

            var leases = new JobLease(shardStore, "test", TimeSpan.FromSeconds(4));
            string? killed = null;
            await cluster.RunAsync(request with { OutputDirectory = temp.File("cluster") }, status =>
            {
                if (killed is null && status.Phase == JobPhases.Cluster && leases.Current(status.JobId) is { } lease)
                {
                    killed = lease.Owner;
                    silos[killed].Kill();
                }
            }, timeout.Token);

            Assert.NotNull(killed);
            var survivor = silos.Keys.Single(id => id != killed);
            var jobId = new JobStore(shardStore).Jobs().Single();
            var final = leases.Current(jobId)!.Value;
            Assert.Equal(survivor, final.Owner);
            Assert.True(final.Generation >= 2, $"lease generation {final.Generation}");
            Assert.Equal(ClusterJobTests.ReadAssignments(temp.File("embedded")), ClusterJobTests.ReadAssignments(temp.File("cluster")));
            var expected = ModelBundle.Load(Path.Combine(temp.File("embedded"), JobOutputs.Model)).Manifest;
            var actual = ModelBundle.Load(Path.Combine(temp.File("cluster"), JobOutputs.Model)).Manifest;
            Assert.Equal(expected.Stages.Select(s => s.Sha256), actual.Stages.Select(s => s.Sha256));
            await clientHost.StopAsync(timeout.Token);
        }
        finally
        {
            foreach (var silo in silos.Values)
            {
                silo.Dispose();
            }
        }
    }

    /// <summary>The reference result: the same job on the embedded cluster (in-memory bus) in this process.</summary>
    private static async Task RunEmbeddedAsync(LabellingJobRequest request, string store, CancellationToken cancellationToken)
    {
        using var embedded = ClusterJobTests.StartSilo(store);
        var client = new ClusterJobClient(embedded.Services.GetRequiredService<IBus>(), embedded.Services.GetRequiredService<ShardStore>(), s_settings);
        await client.RunAsync(request, cancellationToken: cancellationToken);
        await embedded.StopAsync(cancellationToken);
    }
}
