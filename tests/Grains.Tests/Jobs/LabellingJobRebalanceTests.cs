using System.Text.Json.Nodes;
using Distributed.Grains.Jobs;
using Distributed.Grains.Serving;
using Distributed.Grains.Storage;
using Distributed.Ml.Data;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Tests.Jobs;

/// <summary>The pseudo-labelling half of the job: --rebalance, --classifier-input, --known-labels.</summary>
public class LabellingJobRebalanceTests
{
    private static readonly PipelineOptions s_options = new() { Features = FeatureMethod.Pca, Reduce = ReductionMethod.None, Method = ClusteringMethod.KMeans, Clusters = 3, PcaComponents = 10, ForestTrees = 10, KMeansRestarts = 3 };

    [Fact]
    public void SmoteTomekIsTheDefaultAndReportsClassCountsOfTheTrainingRowsOnly()
    {
        Assert.Equal(RebalanceMethod.SmoteTomek, new PipelineOptions().Rebalance);
        using var temp = new TempDirectory();
        // Unequal classes: 60, 30 and 15 images.
        var (images, labels) = Write(temp.Path, [60, 30, 15]);
        var metrics = LabellingJob.Run(new LabellingJobRequest(images, temp.File("out"), s_options, labels)).Metrics;

        Assert.Equal("smote-tomek", metrics["rebalance"]!.GetValue<string>());
        var before = Counts(metrics["class_counts_before"]!);
        var after = Counts(metrics["class_counts_after"]!);
        var heldOut = metrics["classifier_held_out"]!.GetValue<int>();
        Assert.Equal(105 - heldOut, before.Values.Sum());
        Assert.Equal(21, heldOut);
        var largest = before.Values.Max();
        Assert.All(after.Values, count => Assert.InRange(count, largest - 4, largest));
        Assert.True(after.Values.Sum() > before.Values.Sum());
        Assert.True(metrics["timings_s"]!["rebalance"] is not null);
    }

    [Fact]
    public void WithoutRebalancingTheCountsStayAsTheyAre()
    {
        using var temp = new TempDirectory();
        var (images, labels) = Write(temp.Path, [60, 30, 15]);
        var metrics = LabellingJob.Run(new LabellingJobRequest(images, temp.File("out"), s_options with { Rebalance = RebalanceMethod.None }, labels)).Metrics;
        Assert.Equal("none", metrics["rebalance"]!.GetValue<string>());
        Assert.Equal(Counts(metrics["class_counts_before"]!), Counts(metrics["class_counts_after"]!));
    }

    [Fact]
    public void PixelClassifierBundlePredictsFromPixels()
    {
        using var temp = new TempDirectory();
        var (images, labels) = SyntheticImages.Write(temp.Path);
        var output = temp.File("out");
        var metrics = LabellingJob.Run(new LabellingJobRequest(images, output, s_options with { ClassifierInput = ClassifierInput.Pixels }, labels)).Metrics;
        Assert.Equal("pixels", metrics["classifier_input"]!.GetValue<string>());
        Assert.True(metrics["classifier_accuracy"]!.GetValue<double>() > 0.95);

        var (model, manifest) = ModelBundle.Load(Path.Combine(output, JobOutputs.Model));
        Assert.Equal(ClassifierInput.Pixels, manifest.ClassifierInput);
        Assert.Equal(ClassifierInput.Pixels, model.ClassifierInput);
        Assert.Equal(ImageShape.Pixels, model.Classifier.FeatureCount);

        var prediction = PredictionJob.Run(Path.Combine(output, JobOutputs.Model), images, temp.File("pred.npy"));
        using var assignmentsFile = File.OpenRead(Path.Combine(output, JobOutputs.Assignments));
        var assignments = LabelDecoder.Decode(NpyReader.Read(assignmentsFile));
        Assert.True(prediction.Clusters.Zip(assignments).Count(p => p.First == p.Second) >= 0.98 * assignments.Length);
        // The serving path (row by row) reads the same input.
        var pixels = ArrayFiles.LoadImages(images);
        Assert.Equal(prediction.Clusters, Predictor.PredictSequentially(model, pixels).Clusters);
    }

    [Fact]
    public void BundleWithoutTheClassifierInputFieldMeansFeatures()
    {
        using var temp = new TempDirectory();
        var (images, _) = SyntheticImages.Write(temp.Path);
        var output = temp.File("out");
        // Bundles from before the field had no refine stage either.
        LabellingJob.Run(new LabellingJobRequest(images, output, s_options with { Refine = RefineMethod.None }));
        var bundle = Path.Combine(output, JobOutputs.Model);
        var manifestPath = Path.Combine(bundle, ModelBundle.ManifestFile);
        var manifest = JsonNode.Parse(File.ReadAllText(manifestPath))!.AsObject();
        Assert.Equal("features", manifest["classifier_input"]!.GetValue<string>());
        manifest.Remove("classifier_input");
        File.WriteAllText(manifestPath, manifest.ToJsonString());
        Assert.Equal(ClassifierInput.Features, ModelBundle.Load(bundle).Model.ClassifierInput);
    }

    [Fact]
    public void KnownLabelsAreSpreadAndScoredOnTheRest()
    {
        using var temp = new TempDirectory();
        var (images, labels) = SyntheticImages.Write(temp.Path);
        var options = s_options with { KnownFraction = 0.1 };
        var metrics = LabellingJob.Run(new LabellingJobRequest(images, temp.File("out"), options, labels, KnownLabelsPath: labels)).Metrics;

        Assert.Equal(18, metrics["known_labels"]!.GetValue<int>());
        Assert.Equal(1.0, metrics["label_spreading_accuracy"]!.GetValue<double>());
        Assert.NotNull(metrics["label_spreading_iterations"]);
        Assert.True(metrics["timings_s"]!["label_spreading"] is not null);
        // The forest learned the spread labels (the true digits 0..2 here), so the bundle predicts them.
        var prediction = PredictionJob.Run(Path.Combine(temp.File("out"), JobOutputs.Model), images, temp.File("pred.npy"));
        using var truthFile = File.OpenRead(labels);
        var truth = LabelDecoder.Decode(NpyReader.Read(truthFile));
        Assert.True(prediction.Clusters.Zip(truth).Count(p => p.First == p.Second) >= 0.98 * truth.Length);
    }

    [Fact]
    public void AccuracyOnUnknownCountsOnlyHiddenRows()
    {
        int[] truth = [0, 1, 2, 0];
        int[] known = [0, -1, -1, 0];
        int[] spread = [1, 1, 0, 0];
        Assert.Equal(0.5, LabellingJob.AccuracyOnUnknown(truth, known, spread));
    }

    private static Dictionary<int, long> Counts(JsonNode node) =>
        node.AsObject().ToDictionary(p => int.Parse(p.Key, System.Globalization.CultureInfo.InvariantCulture), p => p.Value!.GetValue<long>());

    /// <summary>Synthetic images with the given number per class (classes drawn as in <see cref="SyntheticImages"/>).</summary>
    private static (string Images, string Labels) Write(string directory, int[] perClass)
    {
        var (pixels, labels) = SyntheticImages.Make(perClass.Max(), perClass.Length, 1);
        var keep = Enumerable.Range(0, labels.Length).Where(i => Rank(labels, i) < perClass[labels[i]]).ToArray();
        var keptPixels = keep.SelectMany(i => pixels.AsSpan(i * ImageShape.Pixels, ImageShape.Pixels).ToArray()).ToArray();
        var keptLabels = keep.Select(i => labels[i]).ToArray();
        var images = Path.Combine(directory, "images.npy");
        var labelFile = Path.Combine(directory, "labels.npy");
        using (var file = File.Create(images))
        {
            NpyWriter.Write(file, keptPixels, keep.Length, ImageShape.Side, ImageShape.Side);
        }
        using (var file = File.Create(labelFile))
        {
            NpyWriter.Write(file, keptLabels, keptLabels.Length);
        }
        return (images, labelFile);
    }

    private static int Rank(byte[] labels, int row)
    {
        var rank = 0;
        for (var i = 0; i < row; i++)
        {
            rank += labels[i] == labels[row] ? 1 : 0;
        }
        return rank;
    }
}
