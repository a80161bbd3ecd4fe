using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Jobs;
using Distributed.Grains.Storage;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Tests.Cluster;

/// <summary>The grains on an in-process cluster of several silos with split roles, composed as production composes them.</summary>
public class GrainTests
{
    private static readonly string[] s_threeSilos = ["coordinator,gpu,cpu", "coordinator,gpu,cpu", "gpu,cpu,predictor"];

    [Fact]
    public async Task AnySiloCountGivesTheEmbeddedSilosAssignmentsAndModelStagesBitForBit()
    {
        using var temp = new TempDirectory();
        var embedded = await ClusterJobTests.RunEmbeddedAsync(temp, "embedded");
        var (images, labels) = SyntheticImages.Write(temp.Path);
        foreach (var roles in new[] { s_threeSilos, ["coordinator,gpu,cpu", "cpu,gpu"] })
        {
            var name = $"silos-{roles.Length}";
            var store = temp.File($"{name}-store");
            await using var silos = await TestSilos.StartAsync(store, roles);
            var outcome = await ClusterJobTests.RunAsync(silos.Grains, store, images, labels, temp.File(name));
            Assert.Equal(embedded.Assignments, outcome.Assignments);
            var expected = ClusterJobTests.StageBytes(temp.File("embedded"));
            foreach (var (stage, bytes) in ClusterJobTests.StageBytes(temp.File(name)))
            {
                Assert.True(expected[stage].AsSpan().SequenceEqual(bytes), $"{name}: stage {stage} differs from the embedded run's");
            }
            // Several silos: every clustering round (Lloyd's iterations, the mixture's start, EM's iterations, the
            // final pass: more than five) is one call per shard (5 shards) on the workers.
            Assert.True(outcome.Metrics["cluster_grain_calls"]!.GetValue<long>() > embedded.Metrics["cluster_grain_calls"]!.GetValue<long>() + 5 * 5,
                $"{name}: {outcome.Metrics["cluster_grain_calls"]} calls");
        }
    }

    [Fact]
    public async Task FeatureExtractorsActivateOnlyOnGpuSilosAndAWorkersFailureReachesTheCallerWithItsReason()
    {
        using var temp = new TempDirectory();
        await using var silos = await TestSilos.StartAsync(temp.Path, "gpu", "cpu", "coordinator");
        for (var i = 0; i < 12; i++)
        {
            var training = await silos.Grains.GetGrain<IFeatureExtractorGrain>($"{Guid.NewGuid():N}/training").WaitForTraining(TimeSpan.Zero);
            Assert.Equal("Silo_0", training.SiloId);
        }
        var missing = await Assert.ThrowsAnyAsync<IOException>(() =>
            silos.Grains.GetGrain<IShardWorkerGrain>("job/0").EmbedShard(new EmbedShard("no/features.npy", "no/model.umap.bin", "out/x.npy")));
        Assert.Contains("model.umap.bin", missing.Message, StringComparison.Ordinal);

        // The self-labelling CNN trains on a gpu silo too, with the CPU code (no convolution kernels on
        // the device); a failed training answers with its reason rather than throwing at the poller.
        var jobId = Guid.NewGuid();
        var refiner = silos.Grains.GetGrain<IFeatureExtractorGrain>($"{jobId:N}/refiner");
        var started = await refiner.StartRefinerTraining(new TrainRefiner(jobId, "no/manifest.json", "no/rows.npy", "no/labels.npy", 3, ClusterJobTests.Options, "out/refine.cnn.bin", 0));
        Assert.Equal(("Silo_0", "cpu"), (started.SiloId, started.Backend));
        var ended = started;
        while (ended.State == TrainingState.Running)
        {
            ended = await refiner.WaitForTraining(IFeatureExtractorGrain.LongestWait);
        }
        Assert.Equal(TrainingState.Failed, ended.State);
        Assert.Contains("manifest.json", ended.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task WithoutAGpuSiloTheJobFailsNamingTheMissingRole()
    {
        using var temp = new TempDirectory();
        var (images, _) = SyntheticImages.Write(temp.Path);
        await using var silos = await TestSilos.StartAsync(temp.Path, "coordinator,cpu");
        var (job, _) = await SubmitAsync(silos.Grains, temp.Path, images, ClusterJobTests.Options);
        var status = await ClusterJobTests.WaitForEndAsync(job);
        Assert.Equal(JobState.Failed, status.State);
        Assert.StartsWith("features: training the pca extractor: no active silo has the role it needs", status.Error, StringComparison.Ordinal);
    }

    [Fact]
    public async Task StatusListsTheSilosWithTheirRolesAndTheJobWithItsCoordinatorSilo()
    {
        using var temp = new TempDirectory();
        var (images, labels) = SyntheticImages.Write(temp.Path);
        await using var silos = await TestSilos.StartAsync(temp.Path, s_threeSilos);
        await ClusterJobTests.RunAsync(silos.Grains, temp.Path, images, labels, temp.File("out"));
        var status = await new ClusterJobClient(silos.Grains, ClusterJobTests.Settings).StatusAsync();
        Assert.Equal(["Silo_0", "Silo_1", "Silo_2"], status.Silos.Select(s => s.SiloId).Order());
        Assert.All(status.Silos, s => Assert.Equal("Active", s.Status));
        Assert.Equal(["gpu", "cpu", "predictor"], status.Silos.Single(s => s.SiloId == "Silo_2").Roles);
        var job = Assert.Single(status.Jobs);
        Assert.Equal(JobState.Completed, job.State);
        Assert.Contains(job.CoordinatorSilo, new[] { "Silo_0", "Silo_1" });
        // PCA trains on the CPU whatever the gpu silos' backend.
        Assert.Equal("cpu", job.FeatureBackend);
    }

    [Fact]
    public async Task ACancelledJobStopsAndSaysSoAndStopsItsTraining()
    {
        using var temp = new TempDirectory();
        var (images, _) = SyntheticImages.Write(temp.Path);
        await using var silos = await TestSilos.StartAsync(temp.Path, "coordinator,gpu,cpu");
        // An autoencoder that would train for minutes without stopping on a plateau: the cancel
        // arrives mid-training, and must end the training too rather than leave it holding the cores.
        var options = ClusterJobTests.Options with { Features = FeatureMethod.Autoencoder, Autoencoder = new() { Epochs = 5_000, BatchSize = 16, Patience = 5_000 } };
        var (job, submitted) = await SubmitAsync(silos.Grains, temp.Path, images, options);
        Assert.Equal(JobState.Running, submitted.State);
        var training = silos.Grains.GetGrain<IFeatureExtractorGrain>($"{job.GetPrimaryKey():N}/training");
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        while ((await training.WaitForTraining(TimeSpan.Zero)).State != TrainingState.Running)
        {
            await Task.Delay(20, deadline.Token);
        }

        var cancelled = await job.Cancel();
        var status = cancelled.State == JobState.Cancelled ? cancelled : await ClusterJobTests.WaitForEndAsync(job);
        Assert.Equal(JobState.Cancelled, status.State);
        Assert.Equal(JobPhase.Features, status.Phase);
        var stopped = await training.WaitForTraining(TimeSpan.Zero);
        while (stopped.State == TrainingState.Running)
        {
            deadline.Token.ThrowIfCancellationRequested();
            stopped = await training.WaitForTraining(IFeatureExtractorGrain.LongestWait);
        }
        Assert.Equal((TrainingState.Failed, "stopped: its job was cancelled"), (stopped.State, stopped.Error));
    }

    [Fact]
    public async Task PredictorsFollowThePublishedModelAndKeepTheOldOneWhenANewOneFailsToLoad()
    {
        using var temp = new TempDirectory();
        var (images, labels) = SyntheticImages.Write(temp.Path);
        await using var silos = await TestSilos.StartAsync(temp.Path, s_threeSilos);
        var predictor = silos.Grains.GetGrain<IPredictorGrain>(IPredictorGrain.CurrentModel);
        var pixels = new float[2 * 784];
        await Assert.ThrowsAsync<InvalidOperationException>(() => predictor.Predict(new PredictImages(2, pixels)));

        // A completed job publishes its model; the predictor silo swaps to it by itself.
        var outcome = await ClusterJobTests.RunAsync(silos.Grains, temp.Path, images, labels, temp.File("out"));
        var version = outcome.Bundle.Manifest.ModelVersion;
        var answer = await WaitForVersionAsync(predictor, pixels, version);
        Assert.Equal("Silo_2", answer.SiloId);
        Assert.Equal(2, answer.Clusters.Length);
        var expected = PredictionJob.Run(Path.Combine(temp.File("out"), JobOutputs.Model), Path.Combine(temp.Path, "images.npy"), temp.File("pred.npy"));
        Ml.Numerics.Matrix first;
        using (var file = File.OpenRead(Path.Combine(temp.Path, "images.npy")))
        {
            first = Ml.Data.ImageDecoder.Decode(Ml.Data.NpyReader.Read(file));
        }
        var one = await predictor.Predict(new PredictImages(1, first.Row(0).ToArray()));
        Assert.Equal(expected.Clusters[0], one.Clusters[0]);

        // Names reach grain callers: a named version of the published model answers with labels.
        var registry = silos.Grains.GetGrain<IModelRegistryGrain>(0);
        var published = (await registry.GetCurrent())!;
        var namedRef = "named/model";
        var namedDirectory = Directory.CreateDirectory(new ShardStore(temp.Path).PathOf(namedRef)).FullName;
        var publishedModel = new ShardStore(temp.Path).PathOf(published.ModelRef);
        var named = ModelBundle.WriteNamed(publishedModel, ModelBundle.Load(publishedModel).Manifest, namedDirectory, new Dictionary<int, string> { [0] = "zero", [1] = "one", [2] = "two" });
        await registry.Publish(published with { Version = named.ModelVersion, ModelRef = namedRef });
        var labelled = await WaitForVersionAsync(predictor, pixels, named.ModelVersion);
        Assert.Equal(labelled.Clusters.Select(c => new[] { "zero", "one", "two" }[c]), labelled.Labels!);
        Assert.Equal("zero", labelled.ClusterNames![0]);
        version = named.ModelVersion;

        // A bundle that does not load leaves the old model serving.
        Directory.CreateDirectory(temp.File("broken"));
        await silos.Grains.GetGrain<IModelRegistryGrain>(0).Publish(new PublishedModel("broken", "broken", Guid.NewGuid(), DateTimeOffset.UtcNow));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(version, (await predictor.Predict(new PredictImages(2, pixels))).ModelVersion);
        Assert.Equal("broken", (await silos.Grains.GetGrain<IModelRegistryGrain>(0).GetCurrent())!.Version);
        // Nor does a reference that points outside the store, and the predictor still follows the
        // registry afterwards: the run's own copy of the first bundle, published next, is served.
        await silos.Grains.GetGrain<IModelRegistryGrain>(0).Publish(new PublishedModel("outside", "../../etc", Guid.NewGuid(), DateTimeOffset.UtcNow));
        await Task.Delay(TimeSpan.FromSeconds(3));
        Assert.Equal(version, (await predictor.Predict(new PredictImages(2, pixels))).ModelVersion);
        await silos.Grains.GetGrain<IModelRegistryGrain>(0).Publish(new PublishedModel("again", $"out/{JobOutputs.Model}", Guid.NewGuid(), DateTimeOffset.UtcNow));
        await WaitForVersionAsync(predictor, pixels, outcome.Bundle.Manifest.ModelVersion);

        await Assert.ThrowsAsync<ArgumentException>(() => predictor.Predict(new PredictImages(2, new float[784])));
        await Assert.ThrowsAsync<ArgumentException>(() => predictor.Predict(new PredictImages(1, Enumerable.Repeat(2f, 784).ToArray())));
    }

    /// <summary>Ingests <paramref name="images"/> in shards of 60 and submits a job straight to its grain.</summary>
    private static async Task<(ILabellingJobGrain Job, JobStatus Submitted)> SubmitAsync(IGrainFactory grains, string store, string images, PipelineOptions options)
    {
        var jobId = Guid.NewGuid();
        var shards = ShardIngest.Ingest(new ShardStore(store), jobId, images, null, 60).ShardsRef;
        var job = grains.GetGrain<ILabellingJobGrain>(jobId);
        return (job, await job.Submit(new LabellingJobSpec(shards, null, null, options, 1000, 1000, 5)));
    }

    private static async Task<ImagesPredicted> WaitForVersionAsync(IPredictorGrain predictor, float[] pixels, string version)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        while (true)
        {
            try
            {
                var answer = await predictor.Predict(new PredictImages(2, pixels));
                if (answer.ModelVersion == version)
                {
                    return answer;
                }
            }
            catch (InvalidOperationException)
            {
                // No model yet: the silo polls the registry every couple of seconds.
            }
            await Task.Delay(50, timeout.Token);
        }
    }
}
