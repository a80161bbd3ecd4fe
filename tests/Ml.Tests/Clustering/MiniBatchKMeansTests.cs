using Distributed.Ml.Clustering;
using Distributed.Ml.Metrics;

namespace Distributed.Ml.Tests.Clustering;

public class MiniBatchKMeansTests
{
    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void RecoversSeparatedBlobs(ulong seed)
    {
        var (data, labels) = TestData.Blobs(1000, 5, 8, seed);
        var result = MiniBatchKMeans.Fit(data, new MiniBatchKMeansOptions { Clusters = 5, BatchSize = 256, Seed = seed });
        Assert.True(AdjustedRandIndex.Score(labels, result.Labels) > 0.99, $"seed {seed}");
    }

    [Fact]
    public void InertiaIsCloseToLloyds()
    {
        var (data, _) = TestData.Blobs(1000, 6, 6, seed: 8, separation: 6);
        var full = KMeans.Fit(data, new KMeansOptions { Clusters = 6 }).Model.Inertia;
        var mini = MiniBatchKMeans.Fit(data, new MiniBatchKMeansOptions { Clusters = 6, BatchSize = 256 }).Model.Inertia;
        Assert.InRange(mini / full, 0.999, 1.05);
    }

    [Fact]
    public void SameSeedGivesIdenticalModel()
    {
        var (data, _) = TestData.Blobs(500, 4, 5, seed: 9, separation: 3);
        var a = MiniBatchKMeans.Fit(data, new MiniBatchKMeansOptions { Clusters = 4, Seed = 5 });
        var b = MiniBatchKMeans.Fit(data, new MiniBatchKMeansOptions { Clusters = 4, Seed = 5 });
        Assert.Equal(a.Model.Centres, b.Model.Centres);
    }
}
