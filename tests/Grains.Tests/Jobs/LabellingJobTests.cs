using Distributed.Grains.Jobs;
using Distributed.Grains.Storage;
using Distributed.Ml;
using Distributed.Ml.Data;
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
        var metrics = LabellingJob.Run(new LabellingJobRequest(images, output, s_options, labels));

        Assert.Equal(1.0, metrics["accuracy"]!.GetValue<double>());
        Assert.Equal(1.0, metrics["ari"]!.GetValue<double>());
        Assert.True(metrics["classifier_accuracy"]!.GetValue<double>() > 0.95);
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
        var metrics = LabellingJob.Run(new LabellingJobRequest(images, temp.File("out"), defaults, labels));

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
    public void UnimplementedAlgorithmIsRefusedClearly()
    {
        var error = Assert.Throws<OptionsException>(() => (s_options with { Method = ClusteringMethod.Dbscan }).Validate());
        Assert.Contains("--method dbscan is not implemented", error.Message);
    }
}
