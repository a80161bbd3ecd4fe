using Distributed.Ml.Clustering;
using Distributed.Ml.Metrics;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Clustering;

public class KMeansTests
{
    [Fact]
    public void HandCaseConvergesToTheObviousCentres()
    {
        var data = new Matrix(4, 1, [0f, 1f, 10f, 11f]);
        var result = KMeans.Fit(data, new KMeansOptions { Clusters = 2, Restarts = 3, Seed = 1 });
        var centres = result.Model.Centres.Order().ToArray();
        Assert.Equal(new[] { 0.5f, 10.5f }, centres);
        Assert.Equal(1.0, result.Model.Inertia, 6);
        Assert.Equal(result.Labels[0], result.Labels[1]);
        Assert.NotEqual(result.Labels[0], result.Labels[2]);
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void RecoversSeparatedBlobs(ulong seed)
    {
        var (data, labels) = TestData.Blobs(200, 5, 8, seed);
        var result = KMeans.Fit(data, new KMeansOptions { Clusters = 5, Seed = seed });
        Assert.True(AdjustedRandIndex.Score(labels, result.Labels) == 1.0, $"seed {seed}");
        Assert.True(result.Model.Converged);
    }

    [Fact]
    public void ReachesScikitLearnInertiaOnTheFixture()
    {
        var result = KMeans.Fit(TestData.ReferenceX(), new KMeansOptions { Clusters = 3, Seed = 0 });
        Assert.True(result.Model.Inertia <= TestData.Number("kmeans_inertia") * (1 + 1e-4), $"inertia {result.Model.Inertia}");
    }

    [Fact]
    public void SameSeedGivesIdenticalModel()
    {
        var (data, _) = TestData.Blobs(300, 4, 5, seed: 9, separation: 3);
        var a = KMeans.Fit(data, new KMeansOptions { Clusters = 4, Seed = 17 });
        var b = KMeans.Fit(data, new KMeansOptions { Clusters = 4, Seed = 17 });
        Assert.Equal(a.Model.Centres, b.Model.Centres);
        Assert.Equal(a.Labels, b.Labels);
    }

    [Fact]
    public void LabelsEqualPredict()
    {
        var (data, _) = TestData.Blobs(100, 3, 4, seed: 4, separation: 2);
        var result = KMeans.Fit(data, new KMeansOptions { Clusters = 3 });
        Assert.Equal(result.Labels, result.Model.Predict(data));
    }

    [Fact]
    public void StatisticsMergedFromShardsEqualOnePass()
    {
        var (data, _) = TestData.Blobs(100, 3, 4, seed: 4);
        var centres = KMeansPlusPlus.Choose(data, 3, new Rng(1));
        var labels = new int[data.Rows];
        var distances = new float[data.Rows];
        NearestCentre.Assign(data, centres, 3, labels, distances);
        var whole = new KMeansStatistics(3, 4);
        whole.Accumulate(data, 0, data.Rows, labels, distances);
        var merged = new KMeansStatistics(3, 4);
        foreach (var (start, count) in new[] { (0, 120), (120, 180) })
        {
            var part = new KMeansStatistics(3, 4);
            part.Accumulate(data, start, count, labels.AsSpan(start, count), distances.AsSpan(start, count));
            merged.Merge(part);
        }
        Assert.Equal(whole.Counts, merged.Counts);
        for (var i = 0; i < whole.Sums.Length; i++)
        {
            Assert.Equal(whole.Sums[i], merged.Sums[i], 9);
        }
    }

    [Fact]
    public void SaveAndLoadRoundTrip()
    {
        var (data, _) = TestData.Blobs(50, 3, 4, seed: 2);
        var model = KMeans.Fit(data, new KMeansOptions { Clusters = 3 }).Model;
        var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        var loaded = KMeansModel.Load(stream);
        Assert.Equal(model.Centres, loaded.Centres);
        Assert.Equal(model.Predict(data), loaded.Predict(data));
    }

    [Fact]
    public void RejectsMoreClustersThanRows() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => KMeans.Fit(new Matrix(3, 2), new KMeansOptions { Clusters = 4 }));
}
