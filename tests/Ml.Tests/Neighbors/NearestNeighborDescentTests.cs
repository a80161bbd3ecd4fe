using Distributed.Ml.Neighbors;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Neighbors;

public class NearestNeighborDescentTests
{
    [Fact]
    public void FindsAlmostAllExactNeighbours()
    {
        // Below NeighborSearch's threshold on purpose: NN-descent is called directly.
        var (data, _) = TestData.Blobs(600, 5, 8, seed: 11, separation: 4);
        var exact = ExactNeighbors.Build(data, 10);
        var approximate = NearestNeighborDescent.Build(data, new NearestNeighborDescentOptions { Neighbors = 10, Seed = 1 });
        var recall = approximate.Recall(exact);
        Assert.True(recall >= 0.9, $"recall {recall}");
        for (var i = 0; i < approximate.Count; i++)
        {
            var distances = approximate.DistancesOf(i);
            Assert.DoesNotContain(i, approximate.IndicesOf(i).ToArray());
            for (var j = 1; j < distances.Length; j++)
            {
                Assert.True(distances[j - 1] <= distances[j]);
            }
        }
    }

    [Fact]
    public void SameSeedGivesTheSameGraph()
    {
        var data = ExactNeighborsTests.RandomMatrix(2500, 6, seed: 2);
        var options = new NearestNeighborDescentOptions { Neighbors = 8, Seed = 9 };
        var a = NearestNeighborDescent.Build(data, options);
        var b = NearestNeighborDescent.Build(data, options);
        Assert.Equal(a.Indices, b.Indices);
        Assert.Equal(a.Distances, b.Distances);
    }

    [Fact]
    public void CopesWithDuplicateRows()
    {
        // 40 copies of each of 50 points: every hyperplane split ties, every distance is 0 or large.
        var rng = new Rng(4);
        var data = new Matrix(2000, 3);
        for (var i = 0; i < 50; i++)
        {
            var point = new[] { (float)rng.NextGaussian(), (float)rng.NextGaussian(), (float)rng.NextGaussian() };
            for (var c = 0; c < 40; c++)
            {
                point.CopyTo(data.Row(i * 40 + c));
            }
        }
        var graph = NearestNeighborDescent.Build(data, new NearestNeighborDescentOptions { Neighbors = 5 });
        Assert.True(graph.Distances.All(d => d == 0f));
    }

    [Fact]
    public void SmallSetsAreSearchedExactly()
    {
        var data = ExactNeighborsTests.RandomMatrix(500, 4, seed: 8);
        Assert.Equal(ExactNeighbors.Build(data, 7).Indices, NeighborSearch.Build(data, 7, seed: 1).Indices);
    }

    [Fact]
    public void RecallCountsSharedNeighbours()
    {
        var reference = new KnnGraph(2, 2, [1, 2, 0, 2], [1f, 2f, 1f, 3f]);
        var other = new KnnGraph(2, 2, [2, 3, 0, 2], [2f, 4f, 1f, 3f]);
        Assert.Equal(0.75, other.Recall(reference));
    }
}
