using Distributed.Ml.Neighbors;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Embedding;

/// <summary>
/// Uniform Manifold Approximation and Projection (McInnes, Healy and Melville 2018), following
/// umap-learn: a k-NN graph (<see cref="NeighborSearch"/>), turned into a fuzzy simplicial set,
/// laid out from a spectral start by SGD on the fuzzy cross-entropy.
/// </summary>
/// <remarks>
/// Euclidean metric only. Deterministic for a seed whatever the number of threads: the neighbour
/// search and the graph construction are parallel in fixed blocks, the layout is sequential.
/// </remarks>
public static class Umap
{
    /// <summary>Sub-streams of <see cref="RandomStreams.Embedding"/> (0, 1 and 3 belong to the spectral start).</summary>
    private const ulong StartPurpose = 2;
    private const ulong NoisePurpose = 4;

    /// <summary>Standard deviation of the noise added to the spectral start (umap-learn's).</summary>
    private const double StartNoise = 1e-4;

    /// <summary>Fits an embedding of the rows of <paramref name="data"/>.</summary>
    public static UmapModel Fit(Matrix data, UmapOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        Validate(data, options);
        var neighbors = Math.Min(options.Neighbors, data.Rows);
        return Fit(data, NeighborSearch.Build(data, neighbors - 1, options.Seed), options);
    }

    /// <summary>
    /// Fits an embedding from a precomputed neighbour graph of <paramref name="data"/>, which must
    /// list <c>min(Neighbors, rows) − 1</c> other points per row (the neighbourhood counts the point itself).
    /// </summary>
    public static UmapModel Fit(Matrix data, KnnGraph neighbors, UmapOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(neighbors);
        ArgumentNullException.ThrowIfNull(options);
        Validate(data, options);
        var neighborhood = Math.Min(options.Neighbors, data.Rows);
        if (neighbors.Count != data.Rows || neighbors.Neighbors != neighborhood - 1)
        {
            throw new ArgumentException($"Expected a {data.Rows}×{neighborhood - 1} neighbour graph, got {neighbors.Count}×{neighbors.Neighbors}.", nameof(neighbors));
        }
        var (a, b) = UmapCurve.Fit(options.MinDist, options.Spread);
        var (graph, meanDistance) = FuzzySimplicialSet.Build(neighbors, neighborhood);
        var epochs = options.Epochs > 0 ? options.Epochs : data.Rows <= 10_000 ? 500 : 200;
        // Edges too light to be sampled even once in the run only add noise (umap-learn drops them too).
        graph = graph.WithoutEdgesBelow(graph.MaxWeight() / epochs);

        var embedding = Initialise(graph, options);
        var (head, tail, epochsPerSample) = Edges(graph);
        new UmapLayout(a, b, options.RepulsionStrength).Fit(embedding, options.Components, head, tail, epochsPerSample, epochs,
            options.LearningRate, options.NegativeSampleRate, Rng.Derive(options.Seed, RandomStreams.Layout));
        var training = new Matrix(data.Rows, data.Cols, (float[])data.Data.Clone());
        return new UmapModel(training, new Matrix(data.Rows, options.Components, embedding), a, b, meanDistance, new UmapModel.Settings(
            neighborhood, options.TransformEpochs, options.LearningRate, options.NegativeSampleRate, options.RepulsionStrength, options.Seed));
    }

    private static void Validate(Matrix data, UmapOptions options)
    {
        if (data.Rows < 2)
        {
            throw new ArgumentException("UMAP needs at least 2 rows.", nameof(data));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Components, 1, nameof(options.Components));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Neighbors, 2, nameof(options.Neighbors));
        ArgumentOutOfRangeException.ThrowIfNegative(options.MinDist, nameof(options.MinDist));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.Spread, nameof(options.Spread));
        ArgumentOutOfRangeException.ThrowIfNegative(options.Epochs, nameof(options.Epochs));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.LearningRate, nameof(options.LearningRate));
        ArgumentOutOfRangeException.ThrowIfNegativeOrZero(options.NegativeSampleRate, nameof(options.NegativeSampleRate));
        ArgumentOutOfRangeException.ThrowIfNegative(options.RepulsionStrength, nameof(options.RepulsionStrength));
        ArgumentOutOfRangeException.ThrowIfLessThan(options.TransformEpochs, 1, nameof(options.TransformEpochs));
        if (!Enum.IsDefined(options.Initialization))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Unknown initialisation {options.Initialization}.");
        }
    }

    /// <summary>
    /// The starting layout, rescaled like umap-learn's: the spectral layout expanded to a largest
    /// coordinate of 10 plus noise (or uniform in [−10, 10]), then each axis mapped onto [0, 10].
    /// </summary>
    internal static float[] Initialise(SparseGraph graph, UmapOptions options)
    {
        var dimension = options.Components;
        var n = graph.Count;
        var layout = options.Initialization == UmapInitialization.Spectral ? SpectralInitialization.Compute(graph, dimension, options.Seed) : null;
        if (layout is not null)
        {
            var largest = 0f;
            foreach (var value in layout)
            {
                largest = Math.Max(largest, Math.Abs(value));
            }
            var expansion = largest > 0 ? 10f / largest : 1f;
            var noise = Rng.Derive(options.Seed, RandomStreams.Embedding, NoisePurpose);
            for (var i = 0; i < layout.Length; i++)
            {
                layout[i] = layout[i] * expansion + (float)(StartNoise * noise.NextGaussian());
            }
        }
        else
        {
            layout = new float[n * dimension];
            var rng = Rng.Derive(options.Seed, RandomStreams.Embedding, StartPurpose);
            for (var i = 0; i < layout.Length; i++)
            {
                layout[i] = (float)(20 * rng.NextDouble() - 10);
            }
        }
        for (var d = 0; d < dimension; d++)
        {
            var min = float.PositiveInfinity;
            var max = float.NegativeInfinity;
            for (var i = 0; i < n; i++)
            {
                min = Math.Min(min, layout[i * dimension + d]);
                max = Math.Max(max, layout[i * dimension + d]);
            }
            var scale = max > min ? 10f / (max - min) : 0f;
            for (var i = 0; i < n; i++)
            {
                layout[i * dimension + d] = (layout[i * dimension + d] - min) * scale;
            }
        }
        return layout;
    }

    /// <summary>Every stored (directed) entry as an edge, with epochs per sample = max weight / weight.</summary>
    private static (int[] Head, int[] Tail, double[] EpochsPerSample) Edges(SparseGraph graph)
    {
        var head = new int[graph.EdgeCount];
        var epochsPerSample = new double[graph.EdgeCount];
        var max = (double)graph.MaxWeight();
        for (var i = 0; i < graph.Count; i++)
        {
            for (var e = graph.RowStarts[i]; e < graph.RowStarts[i + 1]; e++)
            {
                head[e] = i;
                epochsPerSample[e] = max / graph.Weights[e];
            }
        }
        return (head, (int[])graph.Columns.Clone(), epochsPerSample);
    }
}
