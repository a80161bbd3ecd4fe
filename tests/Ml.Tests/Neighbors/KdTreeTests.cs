using Distributed.Ml.Neighbors;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Neighbors;

/// <summary>The k-d tree against brute force: same neighbours, same counts, same ties.</summary>
public class KdTreeTests
{
    [Theory]
    [InlineData(1, 2, 300UL)]
    [InlineData(2, 5, 301UL)]
    [InlineData(3, 10, 302UL)]
    [InlineData(4, 1, 303UL)]
    public void NearestAndRadiusQueriesEqualBruteForce(int seed, int dimension, ulong dataSeed)
    {
        var data = Random(600, dimension, dataSeed, duplicates: true);
        var tree = new KdTree(data);
        var queries = Random(50, dimension, (ulong)seed, duplicates: false);
        const int k = 7;
        var indices = new int[k];
        var distances = new float[k];
        for (var q = 0; q < queries.Rows + 20; q++)
        {
            // Half the queries are rows of the tree itself (distance-0 and duplicate ties).
            var query = (q < queries.Rows ? queries.Row(q) : data.Row(q * 13 % data.Rows)).ToArray();
            var brute = Enumerable.Range(0, data.Rows)
                .Select(i => (Distance: Squared(query, data.Row(i)), Index: i))
                .OrderBy(p => p.Distance).ThenBy(p => p.Index).ToArray();
            tree.Nearest(query, indices, distances);
            Assert.Equal(brute.Take(k).Select(p => p.Index), indices);
            Assert.Equal(brute.Take(k).Select(p => p.Distance), distances);

            var radius = brute[20].Distance;
            var inside = brute.Where(p => p.Distance <= radius).Select(p => p.Index).Order().ToArray();
            var found = new List<int>();
            tree.Within(query, radius, found);
            Assert.Equal(inside, found.Order());
            Assert.Equal(inside.Length, tree.CountWithin(query, radius, int.MaxValue));
            Assert.Equal(Math.Min(5, inside.Length), tree.CountWithin(query, radius, 5));
        }
    }

    [Fact]
    public void IdenticalRowsAndEmptyTreesAreHandled()
    {
        var same = new Matrix(40, 3, Enumerable.Repeat(1.5f, 120).ToArray());
        var tree = new KdTree(same);
        var indices = new int[4];
        var distances = new float[4];
        tree.Nearest(same.Row(7), indices, distances);
        Assert.Equal(new[] { 0, 1, 2, 3 }, indices);
        Assert.Equal(40, tree.CountWithin(same.Row(0), 0f, 100));

        var empty = new KdTree(new Matrix(0, 3));
        empty.Nearest(same.Row(0), indices, distances);
        Assert.All(indices, i => Assert.Equal(-1, i));
        Assert.Equal(0, empty.CountWithin(same.Row(0), 1f, 10));
    }

    // The tree's own distance: a scalar loop would round differently from its vector one.
    private static float Squared(ReadOnlySpan<float> a, ReadOnlySpan<float> b) => SquaredEuclidean.Distance(a, b);

    /// <summary>Rows on a coarse grid (so exact duplicates and distance ties occur) or uniform in [0, 4).</summary>
    private static Matrix Random(int rows, int dimension, ulong seed, bool duplicates)
    {
        var rng = new Rng(seed);
        var data = new Matrix(rows, dimension);
        for (var i = 0; i < data.Data.Length; i++)
        {
            data.Data[i] = duplicates ? rng.NextInt(5) : rng.NextSingle() * 4f;
        }
        return data;
    }
}
