using System.Text.Json.Nodes;
using Distributed.Grains.Storage;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Tests.Storage;

public class ModelBundleTests
{
    private static readonly PipelineOptions s_options = new() { Features = FeatureMethod.Pca, Reduce = ReductionMethod.None, Method = ClusteringMethod.KMeans, Clusters = 3, PcaComponents = 5, ForestTrees = 5, KMeansRestarts = 2 };

    [Fact]
    public void SavedBundleLoadsAndPredictsTheSame()
    {
        using var temp = new TempDirectory();
        var (result, images) = Fit(temp);
        var bundle = temp.File("model");
        var manifest = ModelBundle.Save(bundle, result.Model, s_options, result.Report.ClusterSizes);
        var (loaded, loadedManifest) = ModelBundle.Load(bundle);
        Assert.Equal(manifest.ModelVersion, loadedManifest.ModelVersion);
        Assert.Equal(new[] { "features", "cluster", "refine", "classifier", "novelty", "pixel-novelty" }, loadedManifest.Stages.Select(s => s.Name));
        Assert.Equal(result.Model.Predict(images).Probabilities.Data, loaded.Predict(images).Probabilities.Data);
        Assert.Equal(result.Model.Predict(images).Novelty, loaded.Predict(images).Novelty);
        Assert.Empty(Directory.GetDirectories(temp.Path, ".*"));
    }

    [Fact]
    public void ARefinedModelsNoveltySpaceIsRecordedAndABundleWithoutItMeansTheEmbedding()
    {
        using var temp = new TempDirectory();
        var (refined, images) = Fit(temp);
        var refinedBundle = temp.File("refined");
        ModelBundle.Save(refinedBundle, refined.Model, s_options, refined.Report.ClusterSizes);
        Assert.Equal(NoveltySpace.Cnn, ModelBundle.Load(refinedBundle).Manifest.NoveltySpace);

        // A bundle from before the pixel check and the recorded space: its novelty stage is read in the embedding.
        var options = s_options with { Refine = RefineMethod.None };
        var plain = ClusteringPipeline.Fit(images, options).Model;
        var bundle = temp.File("model");
        ModelBundle.Save(bundle, plain, options, [60]);
        var manifestPath = Path.Combine(bundle, ModelBundle.ManifestFile);
        Edit(manifestPath, File.ReadAllText(manifestPath), manifest =>
        {
            Assert.Equal("embedding", manifest["novelty_space"]!.GetValue<string>());
            manifest.Remove("novelty_space");
            var stages = manifest["stages"]!.AsArray();
            stages.Remove(stages.Single(stage => stage!["name"]!.GetValue<string>() == PipelineModel.PixelNoveltyStage));
        });
        var (loaded, _) = ModelBundle.Load(bundle);

        Assert.Null(loaded.PixelNovelty);
        Assert.Equal(NoveltySpace.Embedding, loaded.NoveltySpace);
        Assert.Equal(plain.Novelty!.IsNovel(plain.Embed(images)), loaded.Predict(images).Novelty);
    }

    [Fact]
    public void RefusesACorruptedStageFile()
    {
        using var temp = new TempDirectory();
        var bundle = SaveBundle(temp);
        var file = Path.Combine(bundle, "classifier.random-forest.bin");
        var bytes = File.ReadAllBytes(file);
        bytes[^1] ^= 0xFF;
        File.WriteAllBytes(file, bytes);
        Assert.Contains("corrupted", Assert.Throws<ModelBundleException>(() => ModelBundle.Load(bundle)).Message);
    }

    [Fact]
    public void RefusesAForeignOrNewerOrIncompleteBundle()
    {
        using var temp = new TempDirectory();
        var bundle = SaveBundle(temp);
        var manifestPath = Path.Combine(bundle, ModelBundle.ManifestFile);
        var original = File.ReadAllText(manifestPath);

        Edit(manifestPath, original, m => m["format"] = "something-else");
        Assert.Contains("not a model bundle of this product", Assert.Throws<ModelBundleException>(() => ModelBundle.Load(bundle)).Message);

        Edit(manifestPath, original, m => m["format_version"] = BundleManifest.CurrentFormatVersion + 1);
        Assert.Contains("newer than this build supports", Assert.Throws<ModelBundleException>(() => ModelBundle.Load(bundle)).Message);

        File.WriteAllText(manifestPath, "{ not json");
        Assert.Throws<ModelBundleException>(() => ModelBundle.Load(bundle));

        File.Delete(manifestPath);
        Assert.Contains("manifest.json is missing", Assert.Throws<ModelBundleException>(() => ModelBundle.Load(bundle)).Message);
        Assert.Contains("not found", Assert.Throws<ModelBundleException>(() => ModelBundle.Load(temp.File("nowhere"))).Message);
    }

    [Fact]
    public void SavingOverAnExistingBundleReplacesIt()
    {
        using var temp = new TempDirectory();
        var bundle = SaveBundle(temp);
        var first = ModelBundle.Load(bundle).Manifest.ModelVersion;
        SaveBundle(temp);
        Assert.NotEqual(first, ModelBundle.Load(bundle).Manifest.ModelVersion);
        Assert.Single(Directory.GetDirectories(temp.Path));
    }

    private static string SaveBundle(TempDirectory temp)
    {
        var (result, _) = Fit(temp);
        var bundle = temp.File("model");
        ModelBundle.Save(bundle, result.Model, s_options, result.Report.ClusterSizes);
        return bundle;
    }

    private static (PipelineResult Result, Ml.Numerics.Matrix Images) Fit(TempDirectory temp)
    {
        var (imagesPath, _) = SyntheticImages.Write(temp.Path, perClass: 20);
        var images = ArrayFiles.LoadImages(imagesPath);
        File.Delete(imagesPath);
        File.Delete(temp.File("labels.npy"));
        return (ClusteringPipeline.Fit(images, s_options), images);
    }

    private static void Edit(string path, string original, Action<JsonObject> change)
    {
        var manifest = JsonNode.Parse(original)!.AsObject();
        change(manifest);
        File.WriteAllText(path, manifest.ToJsonString());
    }
}
