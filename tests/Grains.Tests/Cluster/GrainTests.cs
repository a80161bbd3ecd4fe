using System.Text.Json;
using Distributed.Grains.Cluster.Grains;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Storage;
using Distributed.Ml.Clustering;
using Distributed.Ml.Features;
using Distributed.Ml.Forest;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;
using MassTransit;

namespace Distributed.Grains.Tests.Cluster;

/// <summary>Each grain through the bus (test harness, production registration) against the library computing the same thing in place.</summary>
public class GrainTests
{
    private static readonly Guid s_job = Guid.Parse("00000000-0000-0000-0000-000000000001");

    private static (string ShardsRef, ShardManifest Manifest) Ingest(GrainHarness harness, int shardSize = 50)
    {
        var (images, _) = SyntheticImages.Write(harness.Temp.Path);
        var shardsRef = ShardIngest.Ingest(harness.Store, s_job, images, null, shardSize).ShardsRef;
        return (shardsRef, ShardIngest.ReadManifest(harness.Store, shardsRef));
    }

    [Fact]
    public async Task FeatureExtractorTrainsOnTheSeededSampleAndEncodesAShardLikeTheModel()
    {
        await using var harness = await GrainHarness.StartAsync();
        var (shardsRef, manifest) = Ingest(harness);
        var options = new PipelineOptions { Features = FeatureMethod.Pca, PcaComponents = 5, Clusters = 3 };

        var trained = await harness.Ask<TrainFeatureExtractor, FeatureExtractorTrained>(ClusterQueues.Features,
            new TrainFeatureExtractor(s_job, shardsRef, JsonSerializer.Serialize(options, Json.Options), 1000, "jobs/x/features.pca.bin"));
        Assert.Equal(CpuFeatureBackend.BackendName, trained.Backend);
        var model = harness.Store.Read(trained.ModelRef, PcaModel.Load);
        var all = ShardIngest.Concatenate(harness.Store, manifest, s => s.ImagesRef);
        Assert.Equal(Pca.Fit(all, new PcaOptions { Components = 5 }).Transform(all).Data, model.Transform(all).Data);

        var shard = manifest.Shards[1];
        var done = await harness.Ask<ExtractFeatures, ShardCompleted>(ClusterQueues.Features,
            new ExtractFeatures(s_job, 1, shard.ImagesRef, trained.ModelRef, "jobs/x/features/1.npy"));
        Assert.Equal(1, done.Shard);
        Assert.Equal(model.Transform(harness.Store.ReadMatrix(shard.ImagesRef)).Data, harness.Store.ReadMatrix(done.OutputRef).Data);
        Assert.True(await harness.Harness.Consumed.Any<ExtractFeatures>());
    }

    [Fact]
    public async Task ShardWorkerStatisticsAndLabelsEqualTheLibrarysOnTheShard()
    {
        await using var harness = await GrainHarness.StartAsync();
        var (_, manifest) = Ingest(harness);
        var shard = manifest.Shards[0];
        var data = harness.Store.ReadMatrix(shard.ImagesRef);
        var centres = new Matrix(3, data.Cols, [.. data.Row(0), .. data.Row(1), .. data.Row(2)]);
        harness.Store.WriteMatrix("jobs/x/centres.npy", centres);

        await harness.Ask<ComputeKMeansStatistics, ShardCompleted>(ClusterQueues.Work,
            new ComputeKMeansStatistics(s_job, 0, shard.ImagesRef, "jobs/x/centres.npy", "jobs/x/s0.kms"));
        var labels = new int[data.Rows];
        var distances = new float[data.Rows];
        NearestCentre.Assign(data, centres.Data, 3, labels, distances);
        var expected = KMeansStatistics.Compute(data, 3, labels, distances);
        var actual = harness.Store.Read("jobs/x/s0.kms", StatisticsCodec.ReadKMeans);
        Assert.Equal(expected.Sums, actual.Sums);
        Assert.Equal(expected.Counts, actual.Counts);
        Assert.Equal(expected.Inertia, actual.Inertia);

        await harness.Ask<ComputeMixtureStatistics, ShardCompleted>(ClusterQueues.Work,
            new ComputeMixtureStatistics(s_job, 0, shard.ImagesRef, "jobs/x/centres.npy", true, "Diagonal", "jobs/x/s0.gms"));
        var mixture = harness.Store.Read("jobs/x/s0.gms", StatisticsCodec.ReadMixture);
        var expectedMixture = GaussianMixtureStatistics.FromLabels(data, labels, 3, CovarianceType.Diagonal);
        Assert.Equal(expectedMixture.FirstMoments, mixture.FirstMoments);
        Assert.Equal(expectedMixture.SecondMoments, mixture.SecondMoments);

        var model = new KMeansModel(centres.Data, 3, data.Cols, 0, 1, true);
        harness.Store.Write("jobs/x/final.kmeans", model.Save);
        await harness.Ask<AssignShard, ShardCompleted>(ClusterQueues.Work,
            new AssignShard(s_job, 0, shard.ImagesRef, "jobs/x/final.kmeans", KMeansModel.Kind, "jobs/x/labels0.npy"));
        Assert.Equal(model.Predict(data), harness.Store.ReadLabels("jobs/x/labels0.npy"));
    }

    [Fact]
    public async Task ForestTrainerGroupsMergeIntoTheForestOfOneFit()
    {
        await using var harness = await GrainHarness.StartAsync();
        var rng = new Rng(3);
        var rows = new Matrix(200, 4);
        var labels = new int[200];
        for (var i = 0; i < 200; i++)
        {
            labels[i] = i % 3;
            for (var j = 0; j < 4; j++)
            {
                rows.Row(i)[j] = (float)(labels[i] * (j + 1) + rng.NextGaussian());
            }
        }
        harness.Store.WriteMatrix("jobs/x/rows.npy", rows);
        harness.Store.WriteLabels("jobs/x/labels.npy", labels);

        var groups = new List<TreeGroup>();
        int[] classes = [];
        foreach (var (first, count) in new[] { (4, 3), (0, 4) })
        {
            var done = await harness.Ask<GrowTreeGroup, ShardCompleted>(ClusterQueues.Work,
                new GrowTreeGroup(s_job, "jobs/x/rows.npy", "jobs/x/labels.npy", 11, first, count, $"jobs/x/trees-{first}.bin"));
            var (group, groupClasses, _) = harness.Store.Read(done.OutputRef, TreeGroupCodec.Read);
            groups.Add(group);
            classes = groupClasses;
        }
        var merged = RandomForest.Merge(classes, 4, groups);
        var single = RandomForest.Fit(rows, labels, ForestTrainerGrain.Options(7, 11));
        Assert.Equal(single.Trees.Length, merged.Trees.Length);
        for (var t = 0; t < single.Trees.Length; t++)
        {
            Assert.Equal(single.Trees[t].Feature, merged.Trees[t].Feature);
            Assert.Equal(single.Trees[t].Threshold, merged.Trees[t].Threshold);
            Assert.Equal(single.Trees[t].LeafValues, merged.Trees[t].LeafValues);
        }
        Assert.Equal(single.FeatureImportances, merged.FeatureImportances);
    }

    [Fact]
    public async Task CoordinatorListsSilosByHeartbeatAndAnswersUnknownJobs()
    {
        await using var harness = await GrainHarness.StartAsync();
        var heartbeat = new SiloHeartbeat("silo-b", "host-b", 42, [SiloRoles.Cpu], DateTimeOffset.UtcNow, DateTimeOffset.UtcNow);
        await harness.Harness.Bus.Publish(heartbeat);
        Assert.True(await harness.Harness.Consumed.Any<SiloHeartbeat>(m => m.Context.Message.SiloId == "silo-b"), "the coordinator never consumed the heartbeat");

        var status = await harness.Ask<GetClusterStatus, ClusterStatus>(ClusterQueues.Coordinator, new GetClusterStatus());
        var silo = Assert.Single(status.Silos, s => s.SiloId == "silo-b");
        Assert.Equal([SiloRoles.Cpu], silo.Roles);
        Assert.Empty(status.Jobs);

        var job = await harness.Ask<GetJobStatus, JobStatus>(ClusterQueues.Coordinator, new GetJobStatus(Guid.NewGuid()));
        Assert.Equal(JobStates.Unknown, job.State);
    }

    [Fact]
    public async Task PredictorGrainAnswersWithTheLoadedModelAndSwapsOnReload()
    {
        var models = TrainedModels.Instance;
        await using var harness = await GrainHarness.StartAsync(new SiloOptions { Store = "unused", Model = models.First, Roles = [SiloRoles.Predictor] });
        var pixels = Array.ConvertAll(models.Pixels[..(4 * 784)], p => p / 255f);
        var first = await harness.Ask<PredictImages, ImagesPredicted>(ClusterQueues.Predictor, new PredictImages(4, pixels));
        var (model, manifest) = ModelBundle.Load(models.First);
        Assert.Equal(manifest.ModelVersion, first.ModelVersion);
        Assert.Equal(model.Predict(new Matrix(4, 784, pixels)).Clusters, first.Clusters);

        await harness.Harness.Bus.Publish(new ReloadModel(models.Second));
        Assert.True(await harness.Harness.Consumed.Any<ReloadModel>(), "the predictor never consumed ReloadModel");
        var second = await harness.Ask<PredictImages, ImagesPredicted>(ClusterQueues.Predictor, new PredictImages(4, pixels));
        Assert.Equal(ModelBundle.Load(models.Second).Manifest.ModelVersion, second.ModelVersion);
    }

    [Fact]
    public async Task APoisonMessageFaultsWithItsReasonInsteadOfBeingRetriedForever()
    {
        await using var harness = await GrainHarness.StartAsync();
        harness.Store.Write("jobs/x/reduce.umap.bin", stream => stream.Write("not a model"u8));
        var error = await Assert.ThrowsAsync<RequestFaultException>(() => harness.Ask<EmbedShard, ShardCompleted>(ClusterQueues.Work,
            new EmbedShard(s_job, 0, "jobs/x/features.npy", "jobs/x/reduce.umap.bin", "jobs/x/out.npy")));
        Assert.NotEmpty(error.Fault!.Exceptions[0].Message);
        Assert.True(await harness.Harness.Published.Any<Fault<EmbedShard>>() || await harness.Harness.Sent.Any<Fault<EmbedShard>>(), "no fault was produced");
    }
}
