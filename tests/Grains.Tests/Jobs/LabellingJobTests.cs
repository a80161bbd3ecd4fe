using Distributed.Grains.Jobs;
using Distributed.Grains.Storage;
using Distributed.Ml;
using Distributed.Ml.Data;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Tests.Jobs;

public class LabellingJobTests
{
    private static readonly PipelineOptions s_options = new() { Features = FeatureMethod.Pca, Reduce = ReductionMethod.None, Method = ClusteringMethod.KMeans, Clusters = 3, PcaComponents = 10, ForestTrees = 10, KMeansRestarts = 3 };

    [Fact]
    public void EmbeddedRunWritesBundleAssignmentsAndMetricsThatAgree()
    {
        using var temp = new TempDirectory();
        var (images, labels) = SyntheticImages.Write(temp.Path);
        var output = temp.File("out");
        var metrics = LabellingJob.Run(new LabellingJobRequest(images, output, s_options, labels)).Metrics;

        Assert.Equal(1.0, metrics["accuracy"]!.GetValue<double>());
        Assert.Equal(1.0, metrics["ari"]!.GetValue<double>());
        Assert.True(metrics["classifier_accuracy"]!.GetValue<double>() > 0.95);
        // In this process the library fits on the CPU.
        Assert.Equal("cpu", metrics["feature_backend"]!.GetValue<string>());
        Assert.Equal(Gemm.TrainingBackend, metrics["training_gemm_backend"]!.GetValue<string>());
        foreach (var stage in new[] { "load", "features", "cluster", "internal_metrics", "classifier", "evaluate" })
        {
            Assert.True(metrics["timings_s"]![stage] is not null, $"timing of {stage}");
        }

        using var assignmentsFile = File.OpenRead(Path.Combine(output, JobOutputs.Assignments));
        var assignments = LabelDecoder.Decode(NpyReader.Read(assignmentsFile));
        Assert.Equal(180, assignments.Length);
        Assert.Equal(metrics["cluster_sizes"]!.AsArray().Select(n => n!.GetValue<long>()), Enumerable.Range(0, 3).Select(c => (long)assignments.Count(a => a == c)));

        var predictions = temp.File("pred.npy");
        var prediction = PredictionJob.Run(Path.Combine(output, JobOutputs.Model), images, predictions, temp.File("proba.npy"));
        Assert.True(prediction.Clusters.Zip(assignments).Count(p => p.First == p.Second) >= 0.98 * assignments.Length);
        Assert.Equal(new[] { "out", "pred.npy", "proba.npy" }, Directory.GetFileSystemEntries(temp.Path).Select(Path.GetFileName).Where(n => n is not ("images.npy" or "labels.npy")).Order());
    }

    [Fact]
    public void DefaultPipelineAutoencoderUmapGmmLabelsTheSyntheticClasses()
    {
        using var temp = new TempDirectory();
        var (images, labels) = SyntheticImages.Write(temp.Path);
        var defaults = new PipelineOptions { Clusters = 3, ForestTrees = 10 };
        Assert.Equal((FeatureMethod.Autoencoder, ReductionMethod.Umap, ClusteringMethod.Gmm), (defaults.Features, defaults.Reduce, defaults.Method));
        var metrics = LabellingJob.Run(new LabellingJobRequest(images, temp.File("out"), defaults, labels)).Metrics;

        Assert.True(metrics["accuracy"]!.GetValue<double>() >= 0.95, $"accuracy {metrics["accuracy"]}");
        Assert.Equal(metrics["training_loss"]!.AsArray().Count, metrics["training_loss"]!.AsArray().Count(l => l!.GetValue<double>() > 0));
        Assert.NotNull(metrics["log_likelihood"]);
        var prediction = PredictionJob.Run(Path.Combine(temp.File("out"), JobOutputs.Model), images, temp.File("pred.npy"));
        Assert.Equal(180, prediction.Clusters.Length);
        Assert.NotNull(prediction.Novelty);
    }

    [Fact]
    public void SameSeedGivesIdenticalAssignmentsAndModelBytes()
    {
        using var temp = new TempDirectory();
        var (images, _) = SyntheticImages.Write(temp.Path);
        LabellingJob.Run(new LabellingJobRequest(images, temp.File("a"), s_options));
        LabellingJob.Run(new LabellingJobRequest(images, temp.File("b"), s_options));
        Assert.Equal(File.ReadAllBytes(Path.Combine(temp.File("a"), JobOutputs.Assignments)), File.ReadAllBytes(Path.Combine(temp.File("b"), JobOutputs.Assignments)));
        foreach (var stage in Directory.GetFiles(Path.Combine(temp.File("a"), JobOutputs.Model), "*.bin"))
        {
            Assert.Equal(File.ReadAllBytes(stage), File.ReadAllBytes(Path.Combine(temp.File("b"), JobOutputs.Model, Path.GetFileName(stage))));
        }
    }

    [Fact]
    public void LabelCountMismatchFailsBeforeWritingAnything()
    {
        using var temp = new TempDirectory();
        var (images, _) = SyntheticImages.Write(temp.Path);
        var labels = temp.File("short-labels.npy");
        using (var file = File.Create(labels))
        {
            NpyWriter.Write(file, new byte[5], 5);
        }
        var output = temp.File("out");
        var error = Assert.Throws<InputFileException>(() => LabellingJob.Run(new LabellingJobRequest(images, output, s_options, labels)));
        Assert.Equal($"{labels}: has 5 labels but {images} has 180 images", error.Message);
        Assert.False(Directory.Exists(output));
    }

    [Fact]
    public void AutoRecordsEveryCandidateAndKeepsTheOneTheRulePicks()
    {
        using var temp = new TempDirectory();
        var (images, labels) = SyntheticImages.Write(temp.Path);
        var output = temp.File("out");
        var metrics = LabellingJob.Run(new LabellingJobRequest(images, output, s_options with { Method = ClusteringMethod.Auto }, labels)).Metrics;

        Assert.Equal("auto", metrics["method"]!.GetValue<string>());
        Assert.Equal(AutoClustering.SelectionRule, metrics["selection_rule"]!.GetValue<string>());
        var candidates = metrics["candidates"]!.AsArray().Select(c => c!.AsObject()).ToArray();
        Assert.Equal(new[] { "kmeans", "gmm", "dbscan", "agglomerative" }, candidates.Select(c => c["method"]!.GetValue<string>()));
        foreach (var candidate in candidates)
        {
            foreach (var field in new[] { "n_clusters", "noise_fraction", "silhouette", "davies_bouldin", "calinski_harabasz", "fit_s", "eligible" })
            {
                Assert.True(candidate[field] is not null, $"{candidate["method"]}: {field}");
            }
        }
        // The recorded figures, put through the rule again, give the recorded choice.
        var recorded = candidates.Select(c => new ClusteringCandidate
        {
            Method = c["method"]!.GetValue<string>(),
            NClusters = c["n_clusters"]!.GetValue<int>(),
            NoiseFraction = c["noise_fraction"]!.GetValue<double>(),
            Silhouette = c["silhouette"]!.GetValue<double>(),
            DaviesBouldin = c["davies_bouldin"]!.GetValue<double>(),
            CalinskiHarabasz = c["calinski_harabasz"]!.GetValue<double>(),
            FitS = c["fit_s"]!.GetValue<double>(),
            Eligible = c["eligible"]!.GetValue<bool>(),
        }).ToArray();
        Assert.All(recorded, c => Assert.Equal(AutoClustering.Eligibility(ChoiceNames.Parse<ClusteringMethod>(c.Method)!.Value, c.NClusters, c.NoiseFraction).Eligible, c.Eligible));
        var selected = recorded[AutoClustering.Select(recorded)];
        Assert.Equal(selected.Method, metrics["selected_method"]!.GetValue<string>());
        Assert.Equal(selected.Silhouette, metrics["silhouette"]!.GetValue<double>());
        Assert.Equal(selected.NClusters, metrics["n_clusters_found"]!.GetValue<int>());
        Assert.True(metrics["ari"]!.GetValue<double>() >= 0.9, $"ari {metrics["ari"]}");

        var prediction = PredictionJob.Run(Path.Combine(output, JobOutputs.Model), images, temp.File("pred.npy"));
        Assert.Equal(180, prediction.Clusters.Length);
    }

    [Fact]
    public void DbscanReportsTheClustersItFoundItsRadiusAndNoise()
    {
        using var temp = new TempDirectory();
        var (images, labels) = SyntheticImages.Write(temp.Path);
        var output = temp.File("out");
        // 5 clusters requested: DBSCAN ignores the count and finds the 3 classes.
        var metrics = LabellingJob.Run(new LabellingJobRequest(images, output, s_options with { Method = ClusteringMethod.Dbscan, Clusters = 5 }, labels)).Metrics;

        Assert.Equal(5, metrics["n_clusters"]!.GetValue<int>());
        Assert.Equal(3, metrics["n_clusters_found"]!.GetValue<int>());
        Assert.Equal(3, metrics["cluster_sizes"]!.AsArray().Count);
        Assert.True(metrics["dbscan_eps"]!.GetValue<double>() > 0);
        Assert.True(metrics["dbscan_eps_chosen"]!.GetValue<bool>());
        Assert.Equal(5, metrics["dbscan_min_samples"]!.GetValue<int>());
        var noise = metrics["noise_fraction"]!.GetValue<double>();
        Assert.True(noise <= AutoClustering.MaxNoiseFraction, $"noise fraction {noise}");
        Assert.Null(metrics["candidates"]);

        using var assignmentsFile = File.OpenRead(Path.Combine(output, JobOutputs.Assignments));
        var assignments = LabelDecoder.Decode(NpyReader.Read(assignmentsFile));
        Assert.Equal(noise, assignments.Count(a => a < 0) / 180.0, 12);
        var prediction = PredictionJob.Run(Path.Combine(output, JobOutputs.Model), images, temp.File("pred.npy"));
        Assert.True(prediction.Clusters.Zip(assignments).Count(p => p.First == p.Second) >= (1 - noise - 0.02) * assignments.Length);
    }

    [Fact]
    public void AgglomerativeRunReportsItsLinkageAndLoadsBack()
    {
        using var temp = new TempDirectory();
        var (images, labels) = SyntheticImages.Write(temp.Path);
        var output = temp.File("out");
        var options = s_options with { Method = ClusteringMethod.Agglomerative, Agglomerative = new() { Linkage = Ml.Clustering.Linkage.Average } };
        var metrics = LabellingJob.Run(new LabellingJobRequest(images, output, options, labels)).Metrics;

        Assert.Equal(1.0, metrics["ari"]!.GetValue<double>());
        Assert.Equal("average", metrics["agglomerative_linkage"]!.GetValue<string>());
        Assert.Equal(180, metrics["agglomerative_sample_size"]!.GetValue<int>());
        var manifest = ModelBundle.Load(Path.Combine(output, JobOutputs.Model));
        Assert.Contains(manifest.Manifest.Stages, s => s.Kind == "agglomerative");
    }

    [Fact]
    public void DbscanWithoutTwoClustersIsAClearOptionsError()
    {
        using var temp = new TempDirectory();
        var (images, _) = SyntheticImages.Write(temp.Path);
        var options = s_options with { Method = ClusteringMethod.Dbscan, Dbscan = new() { Eps = 1e-6 } };
        var error = Assert.Throws<OptionsException>(() => LabellingJob.Run(new LabellingJobRequest(images, temp.File("out"), options)));
        Assert.Equal("method dbscan found 0 cluster(s) with eps 1E-06 and min_samples 5; change eps or min_samples; at least 2 are needed", error.Message);
        Assert.Equal([PipelineSetting.Method, PipelineSetting.Eps, PipelineSetting.MinSamples], error.Settings);
        Assert.False(Directory.Exists(temp.File("out")));
    }
}
