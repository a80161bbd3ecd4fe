using Distributed.Ml.Embedding;
using Distributed.Ml.Neighbors;

namespace Distributed.Ml.Tests.Embedding;

public class FuzzySimplicialSetTests
{
    [Fact]
    public void SigmaAndRhoAgreeWithUmapLearn()
    {
        var fixture = UmapFixture.Root.GetProperty("smooth_knn");
        var distances = UmapFixture.Matrix(fixture.GetProperty("distances"));
        var k = fixture.GetProperty("k").GetInt32();
        var sigmas = UmapFixture.Doubles(fixture.GetProperty("sigmas"));
        var rhos = UmapFixture.Doubles(fixture.GetProperty("rhos"));
        var mean = distances.Data.Average();
        for (var i = 0; i < distances.Rows; i++)
        {
            var (rho, sigma) = FuzzySimplicialSet.SmoothDistances(distances.Row(i), Math.Log2(k), 1, mean);
            Assert.Equal(rhos[i], rho, 6);
            Assert.Equal(sigmas[i], sigma, 1e-4 * sigmas[i]);
        }
    }

    [Fact]
    public void MembershipsSumToLog2K()
    {
        // The point itself first (distance 0), then k − 1 = 5 others.
        float[] row = [0f, 0.5f, 0.7f, 1.1f, 1.2f, 2.0f];
        var (rho, sigma) = FuzzySimplicialSet.SmoothDistances(row, Math.Log2(6), 1, 1.0);
        Assert.Equal(0.5f, rho);
        var sum = row.Skip(1).Sum(d => Math.Exp(-Math.Max(0, d - rho) / sigma));
        Assert.Equal(Math.Log2(6), sum, 4);
        Assert.Equal(1f, FuzzySimplicialSet.Membership(0.5f, rho, sigma));
    }

    [Fact]
    public void SymmetrisesByFuzzyUnion()
    {
        // Points on a line at 0, 1, 3 and 7, two neighbours each (a neighbourhood of 3 with the point).
        var knn = new KnnGraph(4, 2, [1, 2, 0, 2, 1, 0, 2, 1], [1f, 3f, 1f, 2f, 2f, 3f, 4f, 6f]);
        var (graph, mean) = FuzzySimplicialSet.Build(knn, 3);
        Assert.Equal(22.0 / 12, mean, 6);
        // In each row the nearest has strength 1 and the other w with 1 + w = log2 3. The union
        // a + b − ab gives 2w − w² where both directions have w, 1 where either has 1, w where only one does.
        var w = Math.Log2(3) - 1;
        Assert.Equal(new[] { 0, 2, 5, 8, 10 }, graph.RowStarts);
        Assert.Equal(new[] { 1, 2, 0, 2, 3, 0, 1, 3, 1, 2 }, graph.Columns);
        var expected = new[] { 1, 2 * w - w * w, 1, 1, w, 2 * w - w * w, 1, 1, w, 1 };
        for (var e = 0; e < expected.Length; e++)
        {
            Assert.Equal(expected[e], graph.Weights[e], 4);
        }
    }
}
