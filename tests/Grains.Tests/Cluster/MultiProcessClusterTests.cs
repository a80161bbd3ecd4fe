using System.Net.Http.Json;
using System.Text.Json;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Jobs;
using Distributed.Grains.Storage;
using Distributed.Ml.Features;
using Distributed.Ml.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Distributed.Grains.Tests.Cluster;

/// <summary>
/// Real Silo processes on a private redis-server: three silos with split roles run a job while one
/// of them is killed, drained, or Redis restarts; the job completes with the embedded run's
/// assignments and model stages, bit for bit. Processes and Redis are always stopped.
/// </summary>
[Collection(MultiProcessCollection.Name)]
public sealed class MultiProcessClusterTests(MultiProcessClusterTests.Reference reference)
    : IClassFixture<MultiProcessClusterTests.Reference>
{
    private static readonly string[] s_roles = ["coordinator,gpu,cpu", "coordinator,gpu,cpu", "gpu,cpu,predictor"];

    /// <summary>Long enough to strike mid-job: a convolutional autoencoder encodes 3,000 images in 30 shards.</summary>
    internal static readonly PipelineOptions Options = ClusterJobTests.Options with
    {
        Features = FeatureMethod.Autoencoder,
        Autoencoder = new AutoencoderOptions { Architecture = AutoencoderArchitecture.Convolutional, Epochs = 2, BatchSize = 64 },
        Gmm = new PipelineOptions().Gmm with { Restarts = 3 },
    };

    internal static readonly ClusterJobSettings Settings = new() { ShardSize = 100, EncoderSampleRows = 300, UmapSampleRows = 600, TreesPerGroup = 4, PollInterval = TimeSpan.FromMilliseconds(100) };

    private static readonly TimeSpan s_jobDeadline = TimeSpan.FromMinutes(5);

    [Fact]
    public Task TheJobSurvivesItsCoordinatorSiloBeingKilled() =>
        RunStrikingAsync(status => status.Phase is JobPhase.Reduce or JobPhase.Cluster or JobPhase.Assign, (cluster, status) =>
        {
            var coordinator = cluster.Silos.Single(s => s.Id == status.CoordinatorSilo);
            coordinator.Kill();
            return Task.FromResult(coordinator.Id);
        }, expectResumption: true);

    [Fact]
    public Task TheJobSurvivesAGpuSiloBeingKilledWhileShardsAreEncoded() =>
        RunStrikingAsync(status => status.Phase == JobPhase.Features && status.Detail.StartsWith("encoding", StringComparison.Ordinal), (cluster, status) =>
        {
            // The gpu silo that does not host the job: the job goes on where it is, the lost encodings are done again elsewhere.
            var gpu = cluster.Silos.First(s => s.Id != status.CoordinatorSilo);
            gpu.Kill();
            return Task.FromResult(gpu.Id);
        }, expectResumption: false);

    [Fact]
    public Task TheJobSurvivesARedisRestart() =>
        RunStrikingAsync(status => status.Phase is JobPhase.Reduce or JobPhase.Cluster, async (cluster, _) =>
        {
            cluster.Redis.Stop();
            await Task.Delay(TimeSpan.FromSeconds(2));
            cluster.Redis.Restart();
            return "redis";
        }, expectResumption: false);

    [Fact]
    public Task SigtermDrainsTheCoordinatorSiloAndTheJobMovesOn() =>
        RunStrikingAsync(status => status.Phase is JobPhase.Reduce or JobPhase.Cluster, (cluster, status) =>
        {
            var coordinator = cluster.Silos.Single(s => s.Id == status.CoordinatorSilo);
            Assert.Equal(0, coordinator.Terminate(TimeSpan.FromSeconds(60)));
            return Task.FromResult(coordinator.Id);
        }, expectResumption: true);

    [Fact]
    public async Task AnotherProcessCallsThePredictorGrainAndTheHttpApiServesTheSameModel()
    {
        using var temp = new TempDirectory();
        await using var cluster = await SiloCluster.StartAsync(temp.File("store"));
        var outcome = await RunAsync(cluster, temp, _ => { });
        var version = outcome.Bundle.Manifest.ModelVersion;

        var predictor = cluster.Client.GetGrain<IPredictorGrain>(IPredictorGrain.CurrentModel);
        var pixels = new float[3 * 784];
        ImagesPredicted answer;
        using var wait = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while (true)
        {
            try
            {
                answer = await predictor.Predict(new PredictImages(3, pixels));
                if (answer.ModelVersion == version)
                {
                    break;
                }
            }
            catch (InvalidOperationException)
            {
                // The predictor silo has not picked the model up yet.
            }
            await Task.Delay(100, wait.Token);
        }
        Assert.Equal("silo-3", answer.SiloId);
        Assert.Equal(3, answer.Clusters.Length);

        using var http = new HttpClient { BaseAddress = cluster.PredictorHttp };
        var model = await http.GetFromJsonAsync<JsonElement>("/v1/model");
        Assert.Equal(version, model.GetProperty("model_version").GetString());

        // The Client's status, as a script would read it.
        var (code, stdout, stderr) = SiloProcess.RunClient("status", "--cluster", cluster.Redis.Address, "--json");
        Assert.True(code == 0, stderr);
        var status = JsonDocument.Parse(stdout).RootElement;
        Assert.Equal(["silo-1", "silo-2", "silo-3"], status.GetProperty("silos").EnumerateArray().Select(s => s.GetProperty("silo_id").GetString()).Order());
        var job = Assert.Single(status.GetProperty("jobs").EnumerateArray());
        Assert.Equal("completed", job.GetProperty("state").GetString());
        Assert.Contains(job.GetProperty("coordinator_silo").GetString(), new[] { "silo-1", "silo-2" });
    }

    /// <summary>Runs the job on three silos, strikes once <paramref name="when"/> holds, and checks the result against the embedded run.</summary>
    private async Task RunStrikingAsync(Func<JobStatus, bool> when, Func<SiloCluster, JobStatus, Task<string>> strike, bool expectResumption)
    {
        var expected = await reference.OutcomeAsync();
        using var temp = new TempDirectory();
        await using var cluster = await SiloCluster.StartAsync(temp.File("store"));
        Task<string>? struck = null;
        ClusterJobTests.JobOutcome outcome;
        try
        {
            outcome = await RunAsync(cluster, temp, status =>
            {
                if (struck is null && status.State == JobState.Running && when(status))
                {
                    struck = strike(cluster, status);
                }
            });
        }
        catch (Exception e)
        {
            throw new InvalidOperationException($"the job failed: {e.Message}\n{cluster.Logs()}", e);
        }
        Assert.True(struck is not null, "the job finished before the strike");
        await struck;
        Assert.Equal(expected.Assignments, outcome.Assignments);
        var expectedStages = ClusterJobTests.StageBytes(reference.Output);
        foreach (var (stage, bytes) in ClusterJobTests.StageBytes(temp.File("out")))
        {
            Assert.True(expectedStages[stage].AsSpan().SequenceEqual(bytes), $"stage {stage} differs from the embedded run's");
        }
        if (expectResumption)
        {
            Assert.True(outcome.Metrics["cluster_resumptions"]!.GetValue<int>() >= 1, "the job was not resumed on another coordinator");
        }
    }

    private static async Task<ClusterJobTests.JobOutcome> RunAsync(SiloCluster cluster, TempDirectory temp, Action<JobStatus> progress)
    {
        var (images, labels) = SyntheticImages.Write(temp.Path, perClass: 1_000);
        var client = new ClusterJobClient(cluster.Client, Settings);
        using var deadline = new CancellationTokenSource(s_jobDeadline);
        var output = temp.File("out");
        var (metrics, _) = await client.RunAsync(new ShardStore(cluster.Store), new LabellingJobRequest(images, output, Options, labels), progress, deadline.Token);
        return new ClusterJobTests.JobOutcome(ClusterJobTests.ReadAssignments(output), ModelBundle.Load(Path.Combine(output, JobOutputs.Model)), metrics);
    }

    /// <summary>The embedded run of the same job, once for the class.</summary>
    public sealed class Reference : IDisposable
    {
        private readonly TempDirectory _temp = new();
        private readonly Lazy<Task<ClusterJobTests.JobOutcome>> _outcome;

        public Reference() => _outcome = new(RunAsync);

        public string Output => _temp.File("out");

        public Task<ClusterJobTests.JobOutcome> OutcomeAsync() => _outcome.Value;

        public void Dispose() => _temp.Dispose();

        private async Task<ClusterJobTests.JobOutcome> RunAsync()
        {
            var (images, labels) = SyntheticImages.Write(_temp.Path, perClass: 1_000);
            var store = _temp.File("store");
            using var host = ClusterJobTests.StartEmbeddedSilo(store);
            var outcome = await ClusterJobTests.RunAsync(host.Services.GetRequiredService<IGrainFactory>(), store, images, labels, Output, Settings, Options);
            await host.StopAsync();
            return outcome;
        }
    }

    /// <summary>Redis, three Silo processes and an Orleans client in this process.</summary>
    private sealed class SiloCluster : IAsyncDisposable
    {
        private readonly IHost _client;

        private SiloCluster(RedisServer redis, IReadOnlyList<SiloProcess> silos, IHost client, string store, Uri predictorHttp)
        {
            Redis = redis;
            Silos = silos;
            _client = client;
            Store = store;
            PredictorHttp = predictorHttp;
        }

        public RedisServer Redis { get; }

        public IReadOnlyList<SiloProcess> Silos { get; }

        public string Store { get; }

        public Uri PredictorHttp { get; }

        public IGrainFactory Client => _client.Services.GetRequiredService<IGrainFactory>();

        public static async Task<SiloCluster> StartAsync(string store)
        {
            Directory.CreateDirectory(store);
            var redis = RedisServer.Start();
            var silos = new List<SiloProcess>();
            try
            {
                silos.AddRange(s_roles.Select((roles, i) => new SiloProcess(roles, redis.Address, store, $"silo-{i + 1}")));
                var addresses = await Task.WhenAll(silos.Select(s => s.StartedAsync()));
                var builder = Host.CreateApplicationBuilder();
                builder.Logging.ClearProviders();
                builder.UseOrleansClient(client => client.AddLabellingClient(redis.Address));
                var client = builder.Build();
                await client.StartAsync();
                return new SiloCluster(redis, silos, client, store, addresses[2]);
            }
            catch
            {
                silos.ForEach(s => s.Dispose());
                redis.Dispose();
                throw;
            }
        }

        public string Logs() => string.Join("\n", Silos.Select(s => $"--- {s.Id}{(s.HasExited ? " (exited)" : "")}:\n{s.Log}"));

        public async ValueTask DisposeAsync()
        {
            try
            {
                using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
                await _client.StopAsync(stop.Token);
            }
            catch (OperationCanceledException)
            {
                // The silos go next anyway.
            }
            _client.Dispose();
            foreach (var silo in Silos)
            {
                silo.Dispose();
            }
            Redis.Dispose();
        }
    }
}

/// <summary>The multi-process tests run one at a time: each starts three silos and times its strike by the job's progress.</summary>
[CollectionDefinition(Name, DisableParallelization = true)]
public sealed class MultiProcessCollection
{
    public const string Name = "multi-process cluster";
}
