using Distributed.Ml.Metrics;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Metrics;

/// <summary>Distance to the own centroid and margin to the next, on a hand-computed case.</summary>
public class CentroidMarginsTests
{
    [Fact]
    public void DistancesAndMarginsOfAHandCase()
    {
        // Cluster 0 at x = 0 and 2 (centroid 1), cluster 1 at x = 10 and 14 (centroid 12), one noise row.
        var rows = new Matrix(5, 1, [0f, 2f, 10f, 14f, 5f]);
        var (distance, margin) = CentroidMargins.Of(rows, [0, 0, 1, 1, -1]);

        Assert.Equal([1f, 1f, 2f, 2f], distance[..4]);
        // x = 0: 1 from its centroid, 12 from the other; x = 2: 1 and 10; x = 10: 2 and 9; x = 14: 2 and 13.
        Assert.Equal([12f - 1f, 10f - 1f, 9f - 2f, 13f - 2f], margin[..4]);
        Assert.True(float.IsNaN(distance[4]) && float.IsNaN(margin[4]));
    }

    [Fact]
    public void TheLeastCertainRowIsTheOneBetweenTheClusters()
    {
        var rows = new Matrix(6, 2, [0f, 0f, 1f, 0f, 0f, 1f, 10f, 10f, 11f, 10f, 5f, 5f]);
        var (_, margin) = CentroidMargins.Of(rows, [0, 0, 0, 1, 1, 1]);
        Assert.Equal(5, Array.IndexOf(margin, margin.Min()));
    }
}
