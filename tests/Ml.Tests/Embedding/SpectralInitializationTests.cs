using Distributed.Ml.Embedding;
using Distributed.Ml.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace Distributed.Ml.Tests.Embedding;

public class SpectralInitializationTests
{
    [Fact]
    public void LaysACycleOutOnACircle()
    {
        // The two leading non-trivial eigenvectors of a cycle's Laplacian are cos and sin of 2πi/n.
        const int n = 60;
        var graph = Cycle(n);
        var layout = SpectralInitialization.Compute(graph, 2, seed: 1)!;
        var radii = Enumerable.Range(0, n).Select(i => Math.Sqrt(layout[2 * i] * layout[2 * i] + layout[2 * i + 1] * layout[2 * i + 1])).ToArray();
        Assert.True(radii.Max() / radii.Min() < 1.01, $"radii {radii.Min()}..{radii.Max()}");
    }

    [Fact]
    public void LanczosFindsTheLargestEigenvaluesOfADenseCheck()
    {
        var rng = new Rng(3);
        const int n = 120;
        var dense = new double[n, n];
        for (var i = 0; i < n; i++)
        {
            for (var j = 0; j < i; j++)
            {
                if (rng.NextDouble() < 0.08)
                {
                    dense[i, j] = dense[j, i] = rng.NextDouble();
                }
            }
        }
        var expected = Matrix<double>.Build.DenseOfArray(dense).Evd(Symmetricity.Symmetric).EigenValues.Real().OrderDescending().Take(4).ToArray();
        void Apply(double[] x, double[] y)
        {
            for (var i = 0; i < n; i++)
            {
                var sum = 0.0;
                for (var j = 0; j < n; j++)
                {
                    sum += dense[i, j] * x[j];
                }
                y[i] = sum;
            }
        }
        var start = Enumerable.Range(0, n).Select(i => 1.0 + 0.01 * i).ToArray();
        var result = new Lanczos(n, Apply, [], seed: 1).Solve(4, 12, 1e-8, 5000, start);
        Assert.NotNull(result);
        for (var r = 0; r < 4; r++)
        {
            Assert.Equal(expected[r], result.Value.Values[r], 6);
        }
    }

    [Fact]
    public void PutsFewComponentsAtSeparateAnchors()
    {
        // Two disjoint cycles: each gets its own anchor (±e₁), laid out within half the gap.
        var first = Cycle(30);
        var rows = new List<int>();
        var columns = new List<int>();
        var weights = new List<float>();
        for (var copy = 0; copy < 2; copy++)
        {
            for (var i = 0; i < 30; i++)
            {
                for (var e = first.RowStarts[i]; e < first.RowStarts[i + 1]; e++)
                {
                    rows.Add(copy * 30 + i);
                    columns.Add(copy * 30 + first.Columns[e]);
                    weights.Add(1f);
                }
            }
        }
        var graph = SparseGraph.FromEntries(60, [.. rows], [.. columns], [.. weights], rows.Count);
        var layout = SpectralInitialization.Compute(graph, 2, seed: 1)!;
        for (var i = 0; i < 60; i++)
        {
            var anchor = i < 30 ? 1.0 : -1.0;
            Assert.InRange(layout[2 * i], anchor - 1.0001, anchor + 1.0001);
        }
        Assert.True(Enumerable.Range(0, 30).Average(i => layout[2 * i]) > 0.5);
        Assert.True(Enumerable.Range(30, 30).Average(i => layout[2 * i]) < -0.5);
    }

    internal static SparseGraph Cycle(int n)
    {
        var rows = new int[2 * n];
        var columns = new int[2 * n];
        var weights = new float[2 * n];
        for (var i = 0; i < n; i++)
        {
            (rows[2 * i], columns[2 * i], weights[2 * i]) = (i, (i + 1) % n, 1f);
            (rows[2 * i + 1], columns[2 * i + 1], weights[2 * i + 1]) = ((i + 1) % n, i, 1f);
        }
        return SparseGraph.FromEntries(n, rows, columns, weights, rows.Length);
    }
}
