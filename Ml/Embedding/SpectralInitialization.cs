using Distributed.Ml.Numerics;

namespace Distributed.Ml.Embedding;

/// <summary>
/// UMAP's spectral start (umap-learn's <c>spectral_layout</c>): the eigenvectors of the smallest
/// non-trivial eigenvalues of the symmetric normalised Laplacian L = I − D^(−½)·W·D^(−½).
/// </summary>
/// <remarks>
/// They are found as the largest eigenvectors of D^(−½)·W·D^(−½) = I − L with the trivial one
/// (D^(½)·1, eigenvalue 1) deflated, by <see cref="Lanczos"/>. A disconnected graph is laid out
/// as umap-learn's <c>multi_component_layout</c> does when there are at most 2·dimension
/// components: component c sits at ±e_⌈c/2⌉, each laid out by its own eigenvectors scaled to half
/// the distance between those anchors (tiny components, and any whose solve fails, uniformly at
/// random around their anchor). With more components than that, or when the solve for a connected
/// graph does not converge, there is no spectral start: <see cref="Compute"/> returns null and the
/// caller starts at random.
/// </remarks>
internal static class SpectralInitialization
{
    /// <summary>Sub-streams of <see cref="RandomStreams.Embedding"/>.</summary>
    private const ulong StartPurpose = 0;
    private const ulong ComponentPurpose = 1;

    /// <summary>Residual bound on each eigenpair (umap-learn asks ARPACK for 1e-4).</summary>
    private const double Tolerance = 1e-4;

    /// <summary>
    /// Budget of sparse products: about ten times what a 60,000-point MNIST graph needs, so that a
    /// hard graph falls back to a random start instead of stalling.
    /// </summary>
    private const int MaxApplications = 2500;

    /// <summary>Rows per parallel block of the sparse product.</summary>
    private const int BlockRows = 4096;

    /// <summary>Row-major n×dimension layout, or null when there is no usable spectral start.</summary>
    public static float[]? Compute(SparseGraph graph, int dimension, ulong seed)
    {
        var n = graph.Count;
        var labels = new int[n];
        var components = graph.Components(labels);
        var layout = new float[n * dimension];
        if (components == 1)
        {
            var vectors = Eigenvectors(graph, dimension, seed, 0);
            if (vectors is null)
            {
                return null;
            }
            Write(layout, dimension, Enumerable.Range(0, n).ToArray(), vectors, 1.0, new double[dimension]);
            return layout;
        }
        if (components > 2 * dimension)
        {
            return null;
        }
        var anchors = Anchors(components, dimension);
        // Anchors are unit vectors ±e_i: the nearest two are √2 apart, or 2 for a lone pair.
        var range = (components == 2 ? 2.0 : Math.Sqrt(2.0)) / 2;
        var members = new List<int>[components];
        for (var c = 0; c < components; c++)
        {
            members[c] = [];
        }
        for (var i = 0; i < n; i++)
        {
            members[labels[i]].Add(i);
        }
        for (var c = 0; c < components; c++)
        {
            var rows = members[c].ToArray();
            double[][]? vectors = null;
            if (rows.Length >= 2 * dimension && rows.Length > dimension + 1)
            {
                vectors = Eigenvectors(graph.Subgraph(rows), dimension, seed, (ulong)c);
            }
            if (vectors is null)
            {
                var rng = Rng.Derive(seed, RandomStreams.Embedding, ComponentPurpose, (ulong)c);
                foreach (var i in rows)
                {
                    for (var d = 0; d < dimension; d++)
                    {
                        layout[i * dimension + d] = (float)(anchors[c][d] + range * (2 * rng.NextDouble() - 1));
                    }
                }
                continue;
            }
            var largest = 0.0;
            foreach (var vector in vectors)
            {
                foreach (var value in vector)
                {
                    largest = Math.Max(largest, Math.Abs(value));
                }
            }
            Write(layout, dimension, rows, vectors, largest > 0 ? range / largest : 0, anchors[c]);
        }
        return layout;
    }

    private static void Write(float[] layout, int dimension, int[] rows, double[][] vectors, double scale, double[] anchor)
    {
        for (var r = 0; r < rows.Length; r++)
        {
            for (var d = 0; d < dimension; d++)
            {
                layout[rows[r] * dimension + d] = (float)(anchor[d] + scale * vectors[d][r]);
            }
        }
    }

    /// <summary>umap-learn's meta-embedding for few components: e_1 … e_k then −e_1 … −e_k, k = ⌈c/2⌉.</summary>
    private static double[][] Anchors(int components, int dimension)
    {
        var half = (components + 1) / 2;
        var anchors = new double[components][];
        for (var c = 0; c < components; c++)
        {
            anchors[c] = new double[dimension];
            anchors[c][c % half] = c < half ? 1 : -1;
        }
        return anchors;
    }

    /// <summary>The <paramref name="dimension"/> leading non-trivial eigenvectors of a connected graph, or null.</summary>
    private static double[][]? Eigenvectors(SparseGraph graph, int dimension, ulong seed, ulong component)
    {
        var n = graph.Count;
        var degree = new double[n];
        for (var i = 0; i < n; i++)
        {
            for (var e = graph.RowStarts[i]; e < graph.RowStarts[i + 1]; e++)
            {
                degree[i] += graph.Weights[e];
            }
        }
        var trivial = new double[n];
        var norm = 0.0;
        for (var i = 0; i < n; i++)
        {
            if (degree[i] <= 0)
            {
                return null;
            }
            trivial[i] = Math.Sqrt(degree[i]);
            norm += degree[i];
        }
        norm = Math.Sqrt(norm);
        var normalised = new double[graph.EdgeCount];
        for (var i = 0; i < n; i++)
        {
            trivial[i] /= norm;
            for (var e = graph.RowStarts[i]; e < graph.RowStarts[i + 1]; e++)
            {
                normalised[e] = graph.Weights[e] / Math.Sqrt(degree[i] * degree[graph.Columns[e]]);
            }
        }
        var blocks = (n + BlockRows - 1) / BlockRows;
        void Apply(double[] x, double[] y) => Parallel.For(0, blocks, block =>
        {
            var end = Math.Min(n, (block + 1) * BlockRows);
            for (var i = block * BlockRows; i < end; i++)
            {
                var sum = 0.0;
                for (var e = graph.RowStarts[i]; e < graph.RowStarts[i + 1]; e++)
                {
                    sum += normalised[e] * x[graph.Columns[e]];
                }
                y[i] = sum;
            }
        });
        var rng = Rng.Derive(seed, RandomStreams.Embedding, StartPurpose, component);
        var start = new double[n];
        for (var i = 0; i < n; i++)
        {
            start[i] = rng.NextGaussian();
        }
        var solver = new Lanczos(n, Apply, [trivial], seed);
        var result = solver.Solve(dimension, Math.Max(4 * dimension, 40), Tolerance, MaxApplications, start);
        return result?.Vectors;
    }

}
