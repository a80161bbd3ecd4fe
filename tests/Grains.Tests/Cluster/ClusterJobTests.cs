using Distributed.Grains.Cluster.Coordinator;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Jobs;
using Distributed.Grains.Storage;
using Distributed.Ml.Data;
using Distributed.Ml.Pipeline;
using MassTransit;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Distributed.Grains.Tests.Cluster;

/// <summary>Whole jobs on the embedded cluster: the Client's composition (<c>AddSilo</c>, in-memory bus) in this process.</summary>
public class ClusterJobTests
{
    /// <summary>Small but every phase: PCA features, UMAP on a sample, GMM with restarts, a forest from several tree groups.</summary>
    internal static readonly PipelineOptions Options = new()
    {
        Features = FeatureMethod.Pca, PcaComponents = 10, Reduce = ReductionMethod.Umap, Method = ClusteringMethod.Gmm,
        Clusters = 3, ForestTrees = 12, Gmm = new PipelineOptions().Gmm with { Restarts = 2 },
    };

    internal static readonly ClusterJobSettings Settings = new() { ShardSize = 40, UmapSampleRows = 120, TreesPerGroup = 5, PollInterval = TimeSpan.FromMilliseconds(50) };

    private static readonly TimeSpan s_jobTimeout = TimeSpan.FromMinutes(3);

    internal static IHost StartSilo(string store, int concurrency = 4, IPipelineObserver? observer = null, TimeSpan? lease = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        if (observer is not null)
        {
            builder.Services.AddSingleton(observer);
        }
        var options = new SiloOptions { Store = store, ConcurrentMessageLimit = concurrency };
        builder.Services.AddSilo(lease is { } duration ? options with { LeaseDuration = duration } : options);
        var host = builder.Build();
        host.Start();
        return host;
    }

    private static async Task<(int[] Assignments, BundleManifest Manifest, System.Text.Json.Nodes.JsonObject Metrics)> RunAsync(TempDirectory temp, string name, int concurrency,
        IPipelineObserver? observer = null, ClusterJobSettings? settings = null, PipelineOptions? options = null, bool knownLabels = false)
    {
        var (images, labels) = SyntheticImages.Write(temp.Path);
        using var host = StartSilo(temp.File($"{name}-store"), concurrency, observer);
        var client = new ClusterJobClient(host.Services.GetRequiredService<IBus>(), host.Services.GetRequiredService<ShardStore>(), settings ?? Settings);
        using var timeout = new CancellationTokenSource(s_jobTimeout);
        var output = temp.File(name);
        var metrics = await client.RunAsync(new LabellingJobRequest(images, output, options ?? Options, labels, knownLabels ? labels : null), cancellationToken: timeout.Token);
        await host.StopAsync();
        return (ReadAssignments(output), ModelBundle.Load(Path.Combine(output, JobOutputs.Model)).Manifest, metrics);
    }

    internal static int[] ReadAssignments(string output)
    {
        using var file = File.OpenRead(Path.Combine(output, JobOutputs.Assignments));
        return NpyReader.Read(file).ToInt32();
    }

    [Fact]
    public async Task EmbeddedClusterLabelsTheSyntheticClassesAndWritesTheLabellingJobsOutputs()
    {
        using var temp = new TempDirectory();
        var observer = new RecordingObserver();
        var (assignments, manifest, metrics) = await RunAsync(temp, "out", concurrency: 4, observer);

        // The coordinator reports its phases to the host's observer (PipelineMetrics on a silo's /metrics).
        Assert.Equal(["features", "reduce", "cluster", "cluster", "internal_metrics", "rebalance", "classifier"], observer.Completed);
        Assert.Equal(observer.Completed, observer.Started);

        Assert.Equal(1.0, metrics["accuracy"]!.GetValue<double>());
        Assert.Equal(180, assignments.Length);
        Assert.Equal(metrics["cluster_sizes"]!.AsArray().Select(n => n!.GetValue<long>()), Enumerable.Range(0, 3).Select(c => (long)assignments.Count(a => a == c)));
        Assert.Equal(["features", "reduce", "cluster", "classifier", "novelty"], manifest.Stages.Select(s => s.Name));
        Assert.Equal(5, metrics["cluster_shards"]!.GetValue<int>());
        Assert.True(metrics["cluster_messages"]!.GetValue<long>() > 5 * 5, $"{metrics["cluster_messages"]} messages");
        foreach (var key in new[] { "classifier_accuracy", "log_likelihood", "bic", "silhouette", "model_version", "timings_s" })
        {
            Assert.True(metrics[key] is not null, $"metrics.json lacks {key}");
        }
        var prediction = PredictionJob.Run(Path.Combine(temp.File("out"), JobOutputs.Model), Path.Combine(temp.Path, "images.npy"), temp.File("pred.npy"));
        Assert.True(prediction.Clusters.Zip(assignments).Count(p => p.First == p.Second) >= 0.98 * assignments.Length);
    }

    [Fact]
    public async Task WhenUmapIsFittedOnEveryRowTheShardsKeepTheFittedLayout()
    {
        using var temp = new TempDirectory();
        var (assignments, _, metrics) = await RunAsync(temp, "out", concurrency: 4, settings: Settings with { UmapSampleRows = 1_000 });
        var umap = (Ml.Embedding.UmapModel)ModelBundle.Load(Path.Combine(temp.File("out"), JobOutputs.Model)).Model.Reducer!;
        Assert.Equal(180, umap.Embedding.Rows);

        var store = new ShardStore(temp.File("out-store"));
        var job = Assert.Single(Directory.GetDirectories(store.PathOf("jobs")));
        var embedded = ShardIngest.Concatenate(store, ShardIngest.ReadManifest(store, $"jobs/{Path.GetFileName(job)}/{ShardManifest.FileName}"),
            shard => $"jobs/{Path.GetFileName(job)}/embedding/{shard.Index:D5}.npy");
        Assert.Equal(umap.Embedding.Data, embedded.Data);
        Assert.Equal(1.0, metrics["accuracy"]!.GetValue<double>());
        Assert.Equal(180, assignments.Length);
    }

    [Fact]
    public async Task MethodsThatNeedEveryRowRunOnTheCoordinatorAndAgreeWithTheInProcessRun()
    {
        using var temp = new TempDirectory();
        var options = Options with
        {
            Reduce = ReductionMethod.None,
            Method = ClusteringMethod.Auto,
            ClassifierInput = ClassifierInput.Pixels,
            KnownFraction = 0.2,
        };
        var (assignments, manifest, metrics) = await RunAsync(temp, "cluster", concurrency: 4, options: options, knownLabels: true);
        var (images, labels) = SyntheticImages.Write(temp.Path);
        var inProcess = LabellingJob.Run(new LabellingJobRequest(images, temp.File("in-process"), options, labels, labels));

        Assert.Equal(1.0, Ml.Metrics.AdjustedRandIndex.Score(ReadAssignments(temp.File("in-process")), assignments));
        foreach (var key in new[] { "selected_method", "candidates", "label_spreading_accuracy", "known_labels", "class_counts_after", "classifier_accuracy" })
        {
            Assert.True(metrics[key] is not null, $"the cluster run's metrics.json lacks {key}");
            Assert.True(inProcess[key] is not null, $"the in-process run's metrics.json lacks {key}");
        }
        Assert.Equal(inProcess["known_labels"]!.GetValue<int>(), metrics["known_labels"]!.GetValue<int>());
        Assert.Equal(inProcess["label_spreading_accuracy"]!.GetValue<double>(), metrics["label_spreading_accuracy"]!.GetValue<double>());
        Assert.Equal("pixels", metrics["classifier_input"]!.GetValue<string>());
        Assert.Equal(4, metrics["candidates"]!.AsArray().Count);
        Assert.Equal(ClassifierInput.Pixels, manifest.ClassifierInput);
    }

    [Fact]
    public async Task DifferentWorkInterleavingsGiveIdenticalAssignmentsAndForest()
    {
        using var temp = new TempDirectory();
        var one = await RunAsync(temp, "one", concurrency: 1);
        var many = await RunAsync(temp, "many", concurrency: 8);
        Assert.Equal(one.Assignments, many.Assignments);
        foreach (var stage in new[] { "features", "reduce", "cluster", "classifier" })
        {
            Assert.Equal(one.Manifest.Stages.Single(s => s.Name == stage).Sha256, many.Manifest.Stages.Single(s => s.Name == stage).Sha256);
        }
    }

    [Fact]
    public async Task ACoordinatorStoppedMidJobResumesFromItsCheckpointToTheSameResult()
    {
        using var temp = new TempDirectory();
        var reference = await RunAsync(temp, "reference", concurrency: 4);
        var (images, labels) = SyntheticImages.Write(temp.Path);
        var store = temp.File("resume-store");
        var jobId = Guid.NewGuid();
        var shardStore = new ShardStore(store);
        var (shardsRef, labelsRef, _) = ShardIngest.Ingest(shardStore, jobId, images, labels, Settings.ShardSize);
        var submit = new SubmitJob(jobId, shardsRef, labelsRef, System.Text.Json.JsonSerializer.Serialize(Options, Json.Options),
            Settings.EncoderSampleRows, Settings.UmapSampleRows, Settings.TreesPerGroup);
        var jobs = new JobStore(shardStore);

        using (var first = StartSilo(store))
        {
            await first.Services.GetRequiredService<IBus>().Request<SubmitJob, JobSubmitted>(ClusterQueues.Address(ClusterQueues.Coordinator), submit);
            using var timeout = new CancellationTokenSource(s_jobTimeout);
            while (jobs.Load(jobId) is not { Phase: JobPhases.Cluster, Iteration: >= 2 })
            {
                Assert.True(jobs.Load(jobId)?.State == JobStates.Running, $"the job ended before it could be interrupted: {jobs.Load(jobId)?.State}");
                await Task.Delay(5, timeout.Token);
            }
            await first.StopAsync();
        }
        var interrupted = jobs.Load(jobId)!;
        Assert.Equal(JobStates.Running, interrupted.State);
        Assert.Contains(interrupted.Phase, new[] { JobPhases.Cluster, JobPhases.Assign });

        using var second = StartSilo(store);
        using var wait = new CancellationTokenSource(s_jobTimeout);
        JobStatus status;
        do
        {
            await Task.Delay(50, wait.Token);
            status = jobs.Status(jobId);
        }
        while (status.State == JobStates.Running);
        Assert.Equal(JobStates.Completed, status.State);
        Assert.Equal(reference.Assignments, ReadAssignments(shardStore.PathOf(status.OutputsRef!)));
        await second.StopAsync();
    }

    [Fact]
    public async Task AJobLeasedByAnotherLiveCoordinatorIsLeftAloneUntilItsLeaseLapses()
    {
        using var temp = new TempDirectory();
        var (images, labels) = SyntheticImages.Write(temp.Path);
        var store = temp.File("store");
        var shardStore = new ShardStore(store);
        var jobId = Guid.NewGuid();
        var (shardsRef, labelsRef, _) = ShardIngest.Ingest(shardStore, jobId, images, labels, Settings.ShardSize);
        var jobs = new JobStore(shardStore);
        jobs.Create(new SubmitJob(jobId, shardsRef, labelsRef, System.Text.Json.JsonSerializer.Serialize(Options, Json.Options),
            Settings.EncoderSampleRows, Settings.UmapSampleRows, Settings.TreesPerGroup));
        var lease = TimeSpan.FromSeconds(2);
        var other = new JobLease(shardStore, "other-coordinator", lease);
        Assert.Equal(1, other.TryAcquire(jobId));

        using var host = StartSilo(store, lease: lease);
        using var timeout = new CancellationTokenSource(s_jobTimeout);
        // While the other coordinator renews its lease, this one scans (every second) and leaves the job alone.
        for (var renewals = 0; renewals < 4; renewals++)
        {
            await Task.Delay(lease / 2, timeout.Token);
            Assert.True(other.Renew(jobId, 1));
            Assert.Equal((JobPhases.Features, 0), (jobs.Load(jobId)!.Phase, jobs.Load(jobId)!.Done));
        }
        // It stops renewing (it died): the lease lapses and this coordinator takes the job over.
        while (jobs.Load(jobId)!.State == JobStates.Running)
        {
            await Task.Delay(50, timeout.Token);
        }
        Assert.Equal(JobStates.Completed, jobs.Load(jobId)!.State);
        Assert.Equal(2, other.Current(jobId)!.Value.Generation);
        Assert.False(other.Renew(jobId, 1));
        await host.StopAsync();
    }

    [Fact]
    public async Task AJobWhoseShardIsCorruptFailsWithTheReasonInsteadOfHanging()
    {
        using var temp = new TempDirectory();
        var (images, _) = SyntheticImages.Write(temp.Path);
        var store = temp.File("store");
        var shardStore = new ShardStore(store);
        var jobId = Guid.NewGuid();
        var shardsRef = ShardIngest.Ingest(shardStore, jobId, images, null, Settings.ShardSize).ShardsRef;
        var manifest = ShardIngest.ReadManifest(shardStore, shardsRef);
        File.WriteAllText(shardStore.PathOf(manifest.Shards[2].ImagesRef), "corrupt");
        var options = Options with { Features = FeatureMethod.Pixels, Reduce = ReductionMethod.None };
        var submit = new SubmitJob(jobId, shardsRef, null, System.Text.Json.JsonSerializer.Serialize(options, Json.Options), 1000, 1000, 5);

        using var host = StartSilo(store);
        await host.Services.GetRequiredService<IBus>().Request<SubmitJob, JobSubmitted>(ClusterQueues.Address(ClusterQueues.Coordinator), submit);
        var jobs = new JobStore(shardStore);
        using var timeout = new CancellationTokenSource(s_jobTimeout);
        while (jobs.Load(jobId)!.State == JobStates.Running)
        {
            await Task.Delay(50, timeout.Token);
        }
        var state = jobs.Load(jobId)!;
        Assert.Equal(JobStates.Failed, state.State);
        Assert.Contains("00002.npy", state.Error, StringComparison.Ordinal);
        Assert.StartsWith(JobPhases.Cluster, state.Error, StringComparison.Ordinal);
        await host.StopAsync();
    }

    private sealed class RecordingObserver : IPipelineObserver
    {
        public List<string> Started { get; } = [];

        public List<string> Completed { get; } = [];

        public void StageStarted(string stage)
        {
            lock (Started)
            {
                Started.Add(stage);
            }
        }

        public void StageCompleted(string stage, TimeSpan elapsed)
        {
            lock (Started)
            {
                Completed.Add(stage);
            }
        }
    }
}
