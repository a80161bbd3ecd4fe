using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Jobs;
using Distributed.Grains.Storage;
using Distributed.Ml.Data;
using Distributed.Ml.Pipeline;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace Distributed.Grains.Tests.Cluster;

/// <summary>Whole jobs on the embedded silo: the Client's composition (<c>AddLabellingSilo</c> without Redis) in this process.</summary>
public class ClusterJobTests
{
    /// <summary>Small but every phase: PCA features, UMAP on a sample, GMM with restarts, a forest from several tree groups.</summary>
    internal static readonly PipelineOptions Options = new()
    {
        Features = FeatureMethod.Pca, PcaComponents = 10, Reduce = ReductionMethod.Umap, Method = ClusteringMethod.Gmm,
        Clusters = 3, ForestTrees = 12, Gmm = new PipelineOptions().Gmm with { Restarts = 2 },
    };

    internal static readonly ClusterJobSettings Settings = new() { ShardSize = 40, UmapSampleRows = 120, TreesPerGroup = 5, PollInterval = TimeSpan.FromMilliseconds(50) };

    internal static readonly TimeSpan JobTimeout = TimeSpan.FromMinutes(3);

    /// <summary>A silo alone, as the Client embeds it.</summary>
    internal static IHost StartEmbeddedSilo(string store, IPipelineObserver? observer = null, IStoreFaults? faults = null)
    {
        var builder = Host.CreateApplicationBuilder();
        builder.Logging.ClearProviders();
        if (observer is not null)
        {
            builder.Services.AddSingleton(observer);
        }
        if (faults is not null)
        {
            builder.Services.AddSingleton(faults);
        }
        builder.UseOrleans(silo => silo.AddLabellingSilo(new SiloOptions { Store = store }));
        var host = builder.Build();
        host.Start();
        return host;
    }

    /// <summary>Runs a job through <paramref name="grains"/> on <paramref name="store"/>; returns the outputs.</summary>
    internal static async Task<JobOutcome> RunAsync(IGrainFactory grains, string store, string images, string labels, string output,
        ClusterJobSettings? settings = null, PipelineOptions? options = null, bool knownLabels = false, bool keepJobData = false)
    {
        var client = new ClusterJobClient(grains, settings ?? Settings);
        using var timeout = new CancellationTokenSource(JobTimeout);
        var (metrics, _) = await client.RunAsync(new ShardStore(store), new LabellingJobRequest(images, output, options ?? Options, labels, knownLabels ? labels : null, KeepJobData: keepJobData),
            cancellationToken: timeout.Token);
        return new JobOutcome(ReadAssignments(output), ModelBundle.Load(Path.Combine(output, JobOutputs.Model)), metrics);
    }

    internal static async Task<JobOutcome> RunEmbeddedAsync(TempDirectory temp, string name, IPipelineObserver? observer = null, ClusterJobSettings? settings = null,
        PipelineOptions? options = null, bool knownLabels = false, bool keepJobData = false)
    {
        var (images, labels) = SyntheticImages.Write(temp.Path);
        var store = temp.File($"{name}-store");
        using var host = StartEmbeddedSilo(store, observer);
        var outcome = await RunAsync(host.Services.GetRequiredService<IGrainFactory>(), store, images, labels, temp.File(name), settings, options, knownLabels, keepJobData);
        await host.StopAsync();
        return outcome;
    }

    internal static int[] ReadAssignments(string output)
    {
        using var file = File.OpenRead(Path.Combine(output, JobOutputs.Assignments));
        return NpyReader.Read(file).ToInt32();
    }

    /// <summary>The model stages' bytes, by stage name.</summary>
    internal static Dictionary<string, byte[]> StageBytes(string output)
    {
        var model = Path.Combine(output, JobOutputs.Model);
        return ModelBundle.Load(model).Manifest.Stages.ToDictionary(s => s.Name, s => File.ReadAllBytes(Path.Combine(model, s.File)));
    }

    [Fact]
    public async Task EmbeddedSiloLabelsTheSyntheticClassesAndWritesTheLabellingJobsOutputs()
    {
        using var temp = new TempDirectory();
        var observer = new RecordingObserver();
        var (assignments, bundle, metrics) = await RunEmbeddedAsync(temp, "out", observer);

        // The coordinator reports its phases to the host's observer (PipelineMetrics on a silo's /metrics).
        Assert.Equal(["features", "reduce", "cluster", "cluster", "internal_metrics", "refine", "rebalance", "classifier", "novelty"], observer.Completed);
        Assert.Equal(observer.Completed, observer.Started);
        // metrics.json times the forest as the observer saw it, without the novelty fit that follows it.
        Assert.Equal(observer.Elapsed["classifier"].TotalSeconds, metrics["timings_s"]!["classifier"]!.GetValue<double>(), 0.0011);

        Assert.Equal(1.0, metrics["accuracy"]!.GetValue<double>());
        Assert.Equal(180, assignments.Length);
        Assert.Equal(metrics["cluster_sizes"]!.AsArray().Select(n => n!.GetValue<long>()), Enumerable.Range(0, 3).Select(c => (long)assignments.Count(a => a == c)));
        Assert.Equal(["features", "reduce", "cluster", "refine", "classifier", "novelty", "pixel-novelty"], bundle.Manifest.Stages.Select(s => s.Name));
        Assert.Equal(ClassifierInput.Cnn, bundle.Manifest.ClassifierInput);
        Assert.Equal(5, metrics["cluster_shards"]!.GetValue<int>());
        // Alone, the silo iterates the clustering and grows the forest locally: the calls before the
        // outputs are written are the extractor's training, 5 encodings, 5 UMAP transforms (fitted on
        // 120 of 180 rows), 5 assignments, and for each of the three self-labelling rounds the CNN's
        // training and 5 relabellings.
        Assert.Equal(1 + 5 + 5 + 5 + 3 * (1 + 5), metrics["cluster_grain_calls"]!.GetValue<long>());
        // The labels the forest learned are the CNN's, published beside the clusters.
        using (var file = File.OpenRead(Path.Combine(temp.File("out"), JobOutputs.Labels)))
        {
            Assert.Equal(180, NpyReader.Read(file).ToInt32().Length);
        }
        foreach (var key in new[] { "classifier_accuracy", "log_likelihood", "bic", "silhouette", "model_version", "timings_s", "refine_accuracy", "refine_training_loss", "refine_changed_share" })
        {
            Assert.True(metrics[key] is not null, $"metrics.json lacks {key}");
        }
        // PCA trains on the CPU whatever the gpu silo's backend.
        Assert.Equal("cpu", metrics["feature_backend"]!.GetValue<string>());
        var prediction = PredictionJob.Run(Path.Combine(temp.File("out"), JobOutputs.Model), Path.Combine(temp.Path, "images.npy"), temp.File("pred.npy"));
        Assert.True(prediction.Clusters.Zip(assignments).Count(p => p.First == p.Second) >= 0.98 * assignments.Length);
    }

    [Fact]
    public async Task WhenUmapIsFittedOnEveryRowTheShardsKeepTheFittedLayout()
    {
        using var temp = new TempDirectory();
        var (assignments, bundle, metrics) = await RunEmbeddedAsync(temp, "out", settings: Settings with { UmapSampleRows = 1_000 }, keepJobData: true);
        var umap = (Ml.Embedding.UmapModel)bundle.Model.Reducer!;
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
        var (assignments, bundle, metrics) = await RunEmbeddedAsync(temp, "cluster", options: options, knownLabels: true);
        var (images, labels) = SyntheticImages.Write(temp.Path);
        var inProcess = LabellingJob.Run(new LabellingJobRequest(images, temp.File("in-process"), options, labels, labels)).Metrics;

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
        Assert.Equal(ClassifierInput.Pixels, bundle.Manifest.ClassifierInput);
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

        using var host = StartEmbeddedSilo(store);
        var job = host.Services.GetRequiredService<IGrainFactory>().GetGrain<Interfaces.Cluster.ILabellingJobGrain>(jobId);
        await job.Submit(new Interfaces.Cluster.LabellingJobSpec(shardsRef, null, null, options, 1000, 1000, 5));
        var status = await WaitForEndAsync(job);
        Assert.Equal(Interfaces.Cluster.JobState.Failed, status.State);
        Assert.Contains("00002.npy", status.Error, StringComparison.Ordinal);
        Assert.StartsWith("cluster", status.Error, StringComparison.Ordinal);
        await host.StopAsync();
    }

    /// <summary>Polls the job until it is no longer running, within <see cref="JobTimeout"/>.</summary>
    internal static async Task<Interfaces.Cluster.JobStatus> WaitForEndAsync(Interfaces.Cluster.ILabellingJobGrain job)
    {
        using var timeout = new CancellationTokenSource(JobTimeout);
        while (true)
        {
            var status = await job.GetStatus();
            if (status.State != Interfaces.Cluster.JobState.Running)
            {
                return status;
            }
            await Task.Delay(20, timeout.Token);
        }
    }

    public sealed record JobOutcome(int[] Assignments, (PipelineModel Model, BundleManifest Manifest) Bundle, System.Text.Json.Nodes.JsonObject Metrics);

    internal sealed class RecordingObserver : IPipelineObserver
    {
        public List<string> Started { get; } = [];

        public List<string> Completed { get; } = [];

        public Dictionary<string, TimeSpan> Elapsed { get; } = [];

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
                Elapsed[stage] = elapsed;
            }
        }
    }
}
