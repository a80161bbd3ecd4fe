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
        await using var scenario = await Scenario.StartAsync(perClass: 500, timeout.Token);
        scenario.AddSilo("coordinator,gpu,cpu", "silo-a");
        var victim = scenario.AddSilo("gpu,cpu", "silo-b");
        var worker = scenario.AddSilo("cpu,predictor", "silo-c");
        // Every silo must be up (heard by the coordinator) before the job starts, or the kill proves nothing.
        var cluster = await scenario.ConnectAsync(timeout.Token);

        var killed = false;
        Task<int?>? terminated = null;
        var metrics = await scenario.RunAsync(cluster, status =>
        {
            // silo-c is stopped as Kubernetes stops a pod (SIGTERM: drain, then exit), silo-b is lost.
            if (terminated is null && status.Phase == JobPhases.Reduce)
            {
                terminated = Task.Run(() => worker.Terminate(TimeSpan.FromSeconds(90)));
            }
            if (!killed && AfterReduce(status))
            {
                killed = true;
                victim.Kill();
            }
        }, timeout.Token);

        Assert.True(killed, "the job finished before silo-b could be killed mid-job");
        Assert.True(victim.HasExited);
        Assert.NotNull(terminated);
        Assert.True(await terminated == 0, $"silo-c did not exit 0 within 90 s of SIGTERM (exit {await terminated}):\n{worker.Log}");
        scenario.AssertSameAsEmbedded();
        Assert.Equal(1.0, metrics["accuracy"]!.GetValue<double>());

        var status = await cluster.StatusAsync(timeout.Token);
        Assert.DoesNotContain(status.Silos, s => s.SiloId is "silo-b" or "silo-c" && s.SentUtc > DateTimeOffset.UtcNow.AddSeconds(-1));
        Assert.Contains(status.Jobs, j => j.State == JobStates.Completed);
    }

    [Fact]
    public async Task ABrokerRestartMidJobNeitherLosesTheJobNorChangesItsResult()
    {
        using var timeout = new CancellationTokenSource(s_testTimeout);
        await using var scenario = await Scenario.StartAsync(perClass: 300, timeout.Token);
        // A short shard timeout: answers lost with the broker's temporary queues are asked for again within seconds.
        scenario.AddSilo("coordinator,gpu,cpu", "silo-a", "--shard-timeout-s", "10");
        scenario.AddSilo("cpu", "silo-b");
        var cluster = await scenario.ConnectAsync(timeout.Token);

        var restarted = false;
        await scenario.RunAsync(cluster, status =>
        {
            if (!restarted && AfterReduce(status))
            {
                restarted = true;
                scenario.Broker.Restart();
            }
        }, timeout.Token);

        Assert.True(restarted, "the job finished before the broker could be restarted mid-job");
        scenario.AssertSameAsEmbedded();
    }

    [Fact]
    public async Task WhenTheCoordinatorRunningAJobIsKilledTheOtherCoordinatorTakesItOverToTheSameResult()
    {
        using var timeout = new CancellationTokenSource(s_testTimeout);
        await using var scenario = await Scenario.StartAsync(perClass: 300, timeout.Token);
        // Short leases so that the take-over happens within seconds; a short shard timeout re-asks for
        // answers that went to the dead coordinator's response queue.
        var silos = new[] { "silo-a", "silo-b" }.ToDictionary(id => id, id => scenario.AddSilo("coordinator,gpu,cpu", id, "--lease-s", "4", "--shard-timeout-s", "10"));
        var cluster = await scenario.ConnectAsync(timeout.Token);

        var leases = new JobLease(scenario.Store, "test", TimeSpan.FromSeconds(4));
        string? killed = null;
        await scenario.RunAsync(cluster, status =>
        {
            if (killed is null && AfterReduce(status) && leases.Current(status.JobId) is { } lease)
            {
                killed = lease.Owner;
                silos[killed].Kill();
            }
        }, timeout.Token);

        Assert.NotNull(killed);
        var final = leases.Current(new JobStore(scenario.Store).Jobs().Single())!.Value;
        Assert.Equal(silos.Keys.Single(id => id != killed), final.Owner);
        Assert.True(final.Generation >= 2, $"lease generation {final.Generation}");
        scenario.AssertSameAsEmbedded();
    }

    /// <summary>
    /// A running job past its reduce phase: the point where the tests strike. Polls are 100 ms
    /// apart and the cluster phase of this small job can be shorter, so any later phase will do.
    /// </summary>
    private static bool AfterReduce(JobStatus status) =>
        status.State == JobStates.Running && status.Phase is JobPhases.Cluster or JobPhases.Assign or JobPhases.Classifier;

    /// <summary>
    /// One run of the synthetic job: the reference result on the embedded cluster (in-memory bus) in
    /// this process, then a private broker, a shared store, the silo processes a test adds and a
    /// client of the cluster. Disposing stops all of it, whatever happened.
    /// </summary>
    private sealed class Scenario : IAsyncDisposable
    {
        private readonly TempDirectory _temp;
        private readonly List<SiloProcess> _silos = [];
        private readonly LabellingJobRequest _request;
        private IHost? _client;

        private Scenario(TempDirectory temp, LabellingJobRequest request, RabbitMqBroker broker)
        {
            _temp = temp;
            _request = request;
            Broker = broker;
            Store = new ShardStore(temp.File("cluster-store"));
        }

        public RabbitMqBroker Broker { get; }

        public ShardStore Store { get; }

        public static async Task<Scenario> StartAsync(int perClass, CancellationToken cancellationToken)
        {
            var temp = new TempDirectory();
            try
            {
                var (images, labels) = SyntheticImages.Write(temp.Path, perClass);
                var request = new LabellingJobRequest(images, temp.File("embedded"), s_options, labels);
                using (var embedded = ClusterJobTests.StartSilo(temp.File("embedded-store")))
                {
                    var client = new ClusterJobClient(embedded.Services.GetRequiredService<IBus>(), embedded.Services.GetRequiredService<ShardStore>(), s_settings);
                    await client.RunAsync(request, cancellationToken: cancellationToken);
                    await embedded.StopAsync(cancellationToken);
                }
                return new Scenario(temp, request, RabbitMqBroker.Start());
            }
            catch
            {
                temp.Dispose();
                throw;
            }
        }

        public SiloProcess AddSilo(string roles, string id, params string[] extra)
        {
            var silo = new SiloProcess(roles, Broker.Uri, Store.Root, id, extra);
            _silos.Add(silo);
            return silo;
        }

        /// <summary>A client of the cluster, once the coordinator has heard every silo added.</summary>
        public async Task<ClusterJobClient> ConnectAsync(CancellationToken cancellationToken)
        {
            var builder = Host.CreateApplicationBuilder();
            builder.Logging.ClearProviders();
            builder.Services.AddClusterClient(Broker.Uri);
            _client = builder.Build();
            await _client.StartAsync(cancellationToken);
            var cluster = new ClusterJobClient(_client.Services.GetRequiredService<IBus>(), Store, s_settings);
            while ((await cluster.StatusAsync(cancellationToken)).Silos.Count < _silos.Count)
            {
                Assert.False(_silos.Any(s => s.HasExited), $"a silo exited at start:\n{string.Join("\n", _silos.Select(s => s.Log))}");
                await Task.Delay(200, cancellationToken);
            }
            return cluster;
        }

        /// <summary>Runs the job on the cluster; a failure carries every silo's log.</summary>
        public async Task<System.Text.Json.Nodes.JsonObject> RunAsync(ClusterJobClient cluster, Action<JobStatus> onStatus, CancellationToken cancellationToken)
        {
            try
            {
                return await cluster.RunAsync(_request with { OutputDirectory = _temp.File("cluster") }, onStatus, cancellationToken);
            }
            catch (ClusterJobException e)
            {
                throw new ClusterJobException($"{e.Message}\n{string.Join("\n", _silos.Select(s => $"--- {s.Id} (exited: {s.HasExited}) ---\n{s.Log}"))}", e);
            }
        }

        /// <summary>The cluster's assignments and every model stage equal the embedded run's.</summary>
        public void AssertSameAsEmbedded()
        {
            Assert.Equal(ClusterJobTests.ReadAssignments(_temp.File("embedded")), ClusterJobTests.ReadAssignments(_temp.File("cluster")));
            var expected = ModelBundle.Load(Path.Combine(_temp.File("embedded"), JobOutputs.Model)).Manifest;
            var actual = ModelBundle.Load(Path.Combine(_temp.File("cluster"), JobOutputs.Model)).Manifest;
            Assert.Equal(expected.Stages.Select(s => s.Sha256), actual.Stages.Select(s => s.Sha256));
        }

        public async ValueTask DisposeAsync()
        {
            try
            {
                if (_client is not null)
                {
                    await _client.StopAsync();
                    _client.Dispose();
                }
            }
            finally
            {
                _silos.ForEach(s => s.Dispose());
                Broker.Dispose();
                _temp.Dispose();
            }
        }
    }
}
