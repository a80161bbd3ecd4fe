using Distributed.Ml.Neighbors;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Embedding;

public sealed partial class UmapModel
{
    /// <summary>Rows per parallel work item of a transform.</summary>
    private const int TransformBlock = 256;

    /// <summary>Input dimensions up to which a k-d tree finds the neighbours faster than brute force (the autoencoder's 10, not PCA's 50).</summary>
    private const int TreeDimensions = 16;

    /// <summary>Squared norms of <see cref="TrainingData"/>'s rows; computed on first use (a benign race: every thread computes the same array).</summary>
    private float[]? _trainingNorms;

    /// <summary>k-d tree over <see cref="TrainingData"/>; built on first use (a benign race, like the norms).</summary>
    private KdTree? _trainingTree;

    /// <summary>
    /// Places new rows in the embedding as umap-learn's <c>transform</c> does: each row's exact
    /// neighbours among the training rows are weighted with a local scale (ρ = 0, as umap-learn's
    /// transform uses one less unit of local connectivity), the row starts at the weighted mean of
    /// their embeddings and is then optimised for <see cref="TransformEpochs"/> epochs at a quarter
    /// of the learning rate, attracted by its neighbours and repelled by random training points,
    /// the training embedding staying fixed.
    /// </summary>
    /// <remarks>
    /// Every row is placed independently of the others: its sampling stream is derived from the seed
    /// and a hash of the row's values, edges are pruned and sampled relative to the row's own
    /// heaviest edge, and the epoch count is fixed. So a row lands in the same place whether it is
    /// transformed alone, in a batch, or in another shard (umap-learn's batch-wide pruning and
    /// shared random stream do not have this property), and identical rows land together.
    /// </remarks>
    public Matrix Transform(Matrix rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Cols != InputDimension)
        {
            throw new ArgumentException($"UMAP expects {InputDimension} columns, got {rows.Cols}.", nameof(rows));
        }
        var result = new Matrix(rows.Rows, OutputDimension);
        if (rows.Rows == 0)
        {
            return result;
        }
        // Both searches are exact and give the same neighbours. The tree and the norms are built once
        // per model: a served model transforms one image per call, where a brute-force pass over every
        // training row costs more than the rest of the prediction.
        var tree = InputDimension <= TreeDimensions ? _trainingTree ??= new KdTree(TrainingData) : null;
        KnnGraph? knn = null;
        if (tree is null)
        {
            _trainingNorms ??= ExactNeighbors.ReferenceNorms(TrainingData);
            knn = ExactNeighbors.Query(TrainingData, rows, Neighbors, _trainingNorms);
        }
        var layout = new UmapLayout(A, B, RepulsionStrength);
        var blocks = (rows.Rows + TransformBlock - 1) / TransformBlock;
        Parallel.For(0, blocks, block =>
        {
            var weights = new float[Neighbors];
            var epochsPerSample = new double[Neighbors];
            var scratch = new double[2 * Neighbors];
            var indices = new int[Neighbors];
            var distances = new float[Neighbors];
            var end = Math.Min(rows.Rows, (block + 1) * TransformBlock);
            for (var i = block * TransformBlock; i < end; i++)
            {
                if (tree is null)
                {
                    PlaceRow(rows.Row(i), knn!.IndicesOf(i), knn.DistancesOf(i), result.Row(i), layout, weights, epochsPerSample, scratch);
                    continue;
                }
                tree.Nearest(rows.Row(i), indices, distances);
                for (var j = 0; j < distances.Length; j++)
                {
                    distances[j] = MathF.Sqrt(distances[j]);
                }
                PlaceRow(rows.Row(i), indices, distances, result.Row(i), layout, weights, epochsPerSample, scratch);
            }
        });
        return result;
    }

    private void PlaceRow(ReadOnlySpan<float> row, ReadOnlySpan<int> neighbors, ReadOnlySpan<float> distances, Span<float> point,
        UmapLayout layout, float[] weights, double[] epochsPerSample, double[] scratch)
    {
        var (rho, sigma) = FuzzySimplicialSet.SmoothDistances(distances, Math.Log2(Neighbors), 0, MeanDistance);
        var total = 0.0;
        var heaviest = 0f;
        for (var j = 0; j < neighbors.Length; j++)
        {
            weights[j] = FuzzySimplicialSet.Membership(distances[j], rho, sigma);
            total += weights[j];
            heaviest = Math.Max(heaviest, weights[j]);
        }
        point.Clear();
        for (var j = 0; j < neighbors.Length; j++)
        {
            var share = (float)(total > 0 ? weights[j] / total : 1.0 / neighbors.Length);
            var source = Embedding.Row(neighbors[j]);
            for (var d = 0; d < point.Length; d++)
            {
                point[d] += share * source[d];
            }
        }
        if (heaviest <= 0)
        {
            return;
        }
        var threshold = heaviest / TransformEpochs;
        for (var j = 0; j < neighbors.Length; j++)
        {
            epochsPerSample[j] = weights[j] > 0 && weights[j] >= threshold ? (double)heaviest / weights[j] : -1;
        }
        var rng = Rng.Derive(Seed, RandomStreams.Transform, RowHash(row));
        layout.Place(point, Embedding.Data, neighbors, epochsPerSample, scratch, TransformEpochs, LearningRate / 4, NegativeSampleRate, rng);
    }

    /// <summary>A 64-bit hash of a row's values (−0 read as 0, so equal rows hash equal).</summary>
    internal static ulong RowHash(ReadOnlySpan<float> row)
    {
        var hash = 0x9E3779B97F4A7C15UL ^ (ulong)row.Length;
        foreach (var value in row)
        {
            var bits = BitConverter.SingleToUInt32Bits(value == 0f ? 0f : value);
            hash = (hash ^ bits) * 0xFF51AFD7ED558CCDUL;
            hash ^= hash >> 32;
        }
        return hash;
    }
}
