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
}
