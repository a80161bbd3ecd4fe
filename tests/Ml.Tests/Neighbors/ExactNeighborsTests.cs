using Distributed.Ml.Neighbors;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Neighbors;

public class ExactNeighborsTests
{
    [Fact]
    public void AgreesWithScikitLearn()
    {
        var fixture = UmapFixture.Root.GetProperty("knn");
        var data = UmapFixture.Matrix(fixture.GetProperty("X"));
        var expectedIndices = UmapFixture.Ints(fixture.GetProperty("indices"));
        var expectedDistances = UmapFixture.Doubles(fixture.GetProperty("distances"));
        var k = fixture.GetProperty("k").GetInt32();
        var graph = ExactNeighbors.Build(data, k);
        Assert.Equal(expectedIndices, graph.Indices);
        for (var i = 0; i < expectedDistances.Length; i++)
        {
            Assert.Equal(expectedDistances[i], graph.Distances[i], 1e-5);
        }
    }

    [Fact]
    public void EqualsAScalarBruteForce()
    {
        var data = RandomMatrix(700, 7, seed: 3);
        var queries = RandomMatrix(300, 7, seed: 4);
        const int k = 6;
        AssertMatchesBruteForce(data, data, ExactNeighbors.Build(data, k), k, excludeSelf: true);
        AssertMatchesBruteForce(data, queries, ExactNeighbors.Query(data, queries, k), k, excludeSelf: false);
    }

    [Fact]
    public void AQueryDoesNotDependOnItsBatch()
    {
        var data = RandomMatrix(3000, 5, seed: 5);
        var queries = RandomMatrix(600, 5, seed: 6);
        var all = ExactNeighbors.Query(data, queries, 10);
        var part = ExactNeighbors.Query(data, queries.SelectRows([7, 300, 599]), 10);
        int[] rows = [7, 300, 599];
        for (var r = 0; r < rows.Length; r++)
        {
            Assert.Equal(all.IndicesOf(rows[r]).ToArray(), part.IndicesOf(r).ToArray());
            Assert.Equal(all.DistancesOf(rows[r]).ToArray(), part.DistancesOf(r).ToArray());
        }
    }

    [Fact]
    public void RejectsMoreNeighboursThanOtherRows() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => ExactNeighbors.Build(new Matrix(4, 2), 4));

    internal static Matrix RandomMatrix(int rows, int cols, ulong seed)
    {
        var rng = new Rng(seed);
        var data = new Matrix(rows, cols);
        for (var i = 0; i < data.Data.Length; i++)
        {
            data.Data[i] = (float)rng.NextGaussian();
        }
        return data;
    }

    private static void AssertMatchesBruteForce(Matrix reference, Matrix queries, KnnGraph graph, int k, bool excludeSelf)
    {
        for (var i = 0; i < queries.Rows; i++)
        {
            var distances = new double[reference.Rows];
            for (var j = 0; j < reference.Rows; j++)
            {
                var sum = 0.0;
                for (var c = 0; c < reference.Cols; c++)
                {
                    var delta = (double)queries.Row(i)[c] - reference.Row(j)[c];
                    sum += delta * delta;
                }
                distances[j] = excludeSelf && i == j ? double.PositiveInfinity : Math.Sqrt(sum);
            }
            var expected = Enumerable.Range(0, reference.Rows).OrderBy(j => distances[j]).ThenBy(j => j).Take(k).ToArray();
            Assert.Equal(expected, graph.IndicesOf(i).ToArray());
            for (var j = 0; j < k; j++)
            {
                Assert.Equal(distances[expected[j]], graph.DistancesOf(i)[j], 1e-4);
            }
        }
    }
}
