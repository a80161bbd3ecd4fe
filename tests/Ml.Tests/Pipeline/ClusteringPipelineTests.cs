using Distributed.Ml.Clustering;
using Distributed.Ml.Embedding;
using Distributed.Ml.Features;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;

namespace Distributed.Ml.Tests.Pipeline;

public class ClusteringPipelineTests
{
    [Fact]
    public void TrainingRowsAreClusteredOnUmapsFittedLayoutNotOnATransformOfThemselves()
    {
        var (pixels, _) = TestData.Blobs(120, 3, 784, seed: 5, separation: 3);
        var options = new PipelineOptions
        {
            Features = FeatureMethod.Pixels,
            Reduce = ReductionMethod.Umap,
            ReducedDimensions = 2,
            Method = ClusteringMethod.KMeans,
            Clusters = 3,
            KMeansRestarts = 2,
            ForestTrees = 5,
            Seed = 9,
        };

        var result = ClusteringPipeline.Fit(pixels, options);

        var umap = Assert.IsType<UmapModel>(result.Model.Reducer);
        var expected = KMeans.Fit(umap.Embedding, new KMeansOptions { Clusters = 3, Restarts = 2, Seed = 9 }).Labels;
        Assert.Equal(expected, result.Assignments);
        Assert.False(umap.Transform(pixels).Data.AsSpan().SequenceEqual(umap.Embedding.Data));
    }

    [Fact]
    public void RefinementRelabelsWithTheCnnAndTheForestReadsItsFeatures()
    {
        var (pixels, result) = FitRefined();

        var refiner = Assert.IsType<Distributed.Ml.Refinement.CnnClassifierModel>(result.Model.Refiner);
        // On blobs this far apart every round's CNN agrees, so the rounds' averaged labels are the last one's.
        Assert.Equal(refiner.Predict(pixels), result.PseudoLabels);
        Assert.Equal(ClassifierInput.Cnn, result.Model.ClassifierInput);
        Assert.Equal(refiner.OutputDimension, result.Model.Classifier.FeatureCount);
        Assert.Equal("cnn", result.Report.Refine);
        Assert.Equal(2, result.Report.RefineEpochs);
        Assert.Equal(3, result.Report.RefineRounds);
        Assert.Equal(180, result.Report.RefineConfidentRows);
        Assert.Equal(ClusteringPipeline.ChangedShare(result.Assignments, result.PseudoLabels), result.Report.RefineChangedShare);
        Assert.Contains(result.Model.Stages(), stage => stage.Name == PipelineModel.RefineStage);

        var streams = new Dictionary<string, MemoryStream>();
        foreach (var stage in result.Model.Stages())
        {
            var stream = new MemoryStream();
            stage.Save(stream);
            streams[stage.Name] = new MemoryStream(stream.ToArray());
        }
        var loaded = PipelineModel.Load([.. result.Model.Stages().Select(s => (s.Name, s.Kind))], name => streams[name], ClassifierInput.Cnn, NoveltySpace.Cnn);
        Assert.Equal(result.Model.Predict(pixels).Probabilities.Data, loaded.Predict(pixels).Probabilities.Data);
        Assert.Equal(result.Model.Predict(pixels).Novelty, loaded.Predict(pixels).Novelty);
    }

    [Fact]
    public void AfterRefinementNoveltyIsMeasuredInTheCnnsFeaturesAndTheEmbeddingIsNeverComputed()
    {
        var (pixels, result) = FitRefined();
        var model = result.Model;
        var refiner = model.Refiner!;

        Assert.Equal(NoveltySpace.Cnn, model.NoveltySpace);
        var expectedNovelty = NoveltyModel.Fit(refiner.Transform(pixels), result.PseudoLabels, 3);
        Assert.Equal(expectedNovelty.Centroids, model.Novelty!.Centroids);
        Assert.Equal(expectedNovelty.Radii, model.Novelty.Radii);
        var expectedPixels = SubspaceNoveltyModel.Fit(pixels.SelectRows(SubspaceNoveltyModel.SampleRows(pixels.Rows, 4)));
        Assert.Equal(expectedPixels.Components, model.PixelNovelty!.Components);
        Assert.Equal(expectedPixels.Limit, model.PixelNovelty.Limit);

        // The same stages behind a reducer that must not be called: neither the forest nor the novelty check reads it.
        var withoutEmbedding = new PipelineModel(model.Features, new UncallableTransform(model.Reducer!), model.Clusterer, model.Classifier, model.Novelty,
            ClassifierInput.Cnn, refiner, NoveltySpace.Cnn, model.PixelNovelty);
        var expected = model.Predict(pixels);
        var actual = withoutEmbedding.Predict(pixels);
        Assert.Equal(expected.Probabilities.Data, actual.Probabilities.Data);
        Assert.Equal(expected.Novelty, actual.Novelty);
        var inputs = withoutEmbedding.Prepare(pixels);
        Assert.Null(inputs.Embedded);
        Assert.Equal(refiner.Transform(pixels).Data, inputs.CnnFeatures!.Data);

        // Either check flags an image: one far outside the training images' pixel subspace is novel.
        var outlier = pixels.SelectRows([0]);
        Assert.False(model.PixelNovelty.IsNovel(outlier)[0]);
        outlier.Data[0] += 1000f;
        Assert.True(model.PixelNovelty.IsNovel(outlier)[0]);
        Assert.True(model.Predict(outlier).Novelty![0]);
    }

    [Fact]
    public void WithoutRefinementNoveltyIsMeasuredInTheEmbedding()
    {
        var (pixels, result) = FitBlobs(RefineMethod.None);

        Assert.Equal(NoveltySpace.Embedding, result.Model.NoveltySpace);
        var expected = NoveltyModel.Fit(result.Model.Embed(pixels), result.Assignments, 3);
        Assert.Equal(expected.Centroids, result.Model.Novelty!.Centroids);
        Assert.Equal(expected.Radii, result.Model.Novelty.Radii);
        Assert.Contains(result.Model.Stages(), stage => stage.Name == PipelineModel.PixelNoveltyStage);
    }

    private static (Matrix Pixels, PipelineResult Result) FitRefined() => FitBlobs(RefineMethod.Cnn);

    private static (Matrix Pixels, PipelineResult Result) FitBlobs(RefineMethod refine)
    {
        var (pixels, _) = TestData.Blobs(60, 3, 784, seed: 6, separation: 6);
        var options = new PipelineOptions
        {
            Features = FeatureMethod.Pixels,
            Reduce = ReductionMethod.Pca,
            ReducedDimensions = 3,
            Method = ClusteringMethod.KMeans,
            Clusters = 3,
            KMeansRestarts = 2,
            ForestTrees = 5,
            Seed = 4,
            Refine = refine,
            SelfLabelling = new() { Cnn = new() { Epochs = 2, MinRelativeImprovement = 0 } },
        };
        return (pixels, ClusteringPipeline.Fit(pixels, options));
    }

    /// <summary>A fitted transform whose <see cref="Transform"/> fails the test when called.</summary>
    private sealed class UncallableTransform(IFittedTransform shape) : IFittedTransform
    {
        public int InputDimension => shape.InputDimension;

        public int OutputDimension => shape.OutputDimension;

        public Matrix Transform(Matrix rows) => throw new InvalidOperationException("The embedding was computed.");

        public void Save(Stream stream) => shape.Save(stream);
    }

    [Fact]
    public void TheForestCannotReadCnnFeaturesWithoutRefinement()
    {
        var error = Assert.Throws<OptionsException>(() => new PipelineOptions { Refine = RefineMethod.None, ClassifierInput = ClassifierInput.Cnn }.Validate());
        Assert.Equal("classifier input cnn needs refinement cnn", error.Message);
        Assert.Equal("--classifier-input cnn needs --refine cnn", error.Describe(setting => setting == PipelineSetting.Refine ? "--refine" : "--classifier-input"));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(4)]
    public void SelfLabellingRoundsAreOneToThree(int rounds)
    {
        var error = Assert.Throws<OptionsException>(() => new PipelineOptions { SelfLabelling = new() { Rounds = rounds } }.Validate());
        Assert.Equal($"self-labelling rounds must be 1 to 3, got {rounds}", error.Message);
        Assert.Equal($"--refine-rounds must be 1 to 3, got {rounds}", error.Describe(_ => "--refine-rounds"));
        new PipelineOptions { SelfLabelling = new() { Rounds = 1 } }.Validate();
    }
}
