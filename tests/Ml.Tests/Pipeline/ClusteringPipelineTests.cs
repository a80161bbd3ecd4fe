using Distributed.Ml.Clustering;
using Distributed.Ml.Embedding;
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
            SelfLabelling = new() { Cnn = new() { Epochs = 2, MinRelativeImprovement = 0 } },
        };

        var result = ClusteringPipeline.Fit(pixels, options);

        var refiner = Assert.IsType<Distributed.Ml.Refinement.CnnClassifierModel>(result.Model.Refiner);
        Assert.Equal(refiner.Predict(pixels), result.PseudoLabels);
        Assert.Equal(ClassifierInput.Cnn, result.Model.ClassifierInput);
        Assert.Equal(refiner.OutputDimension, result.Model.Classifier.FeatureCount);
        Assert.Equal("cnn", result.Report.Refine);
        Assert.Equal(2, result.Report.RefineEpochs);
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
        var loaded = PipelineModel.Load([.. result.Model.Stages().Select(s => (s.Name, s.Kind))], name => streams[name], ClassifierInput.Cnn);
        Assert.Equal(result.Model.Predict(pixels).Probabilities.Data, loaded.Predict(pixels).Probabilities.Data);
    }

    [Fact]
    public void TheForestCannotReadCnnFeaturesWithoutRefinement()
    {
        var error = Assert.Throws<OptionsException>(() => new PipelineOptions { Refine = RefineMethod.None, ClassifierInput = ClassifierInput.Cnn }.Validate());
        Assert.Equal("classifier input cnn needs refinement cnn", error.Message);
        Assert.Equal("--classifier-input cnn needs --refine cnn", error.Describe(setting => setting == PipelineSetting.Refine ? "--refine" : "--classifier-input"));
    }
}
