using System.Numerics;
using System.Numerics.Tensors;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// The E-step of a Gaussian mixture over blocks of rows: weighted log-densities, responsibilities
/// and row log-likelihoods; shared by scoring (<see cref="GaussianMixtureModel"/>) and EM
/// (<see cref="GaussianMixtureMoments"/>).
/// </summary>
/// <remarks>
/// A block is copied transposed (feature-major) into double precision, so SIMD lanes run across
/// rows: each row's log-density comes from the same instructions whichever block or lane it lands
/// in, which is what makes statistics of shards agree with statistics of the whole (the moment
/// sums are in <see cref="GaussianMixtureMoments"/>). Everything is computed in log space; the
/// posterior is normalised with log-sum-exp, its exponentials from <see cref="ReproducibleMath"/>
/// so that results do not change with the JIT tier.
/// </remarks>
internal static class GaussianMixtureKernel
{
    /// <summary>Rows per block: fixed, so results do not depend on the thread count.</summary>
    public const int BlockRows = 1024;

    /// <summary>
    /// Distance between the per-feature (and per-component) rows of the scratch buffers: a block
    /// plus one cache line, so that walking down a column does not hit one cache set over and over.
    /// </summary>
    public const int Stride = BlockRows + 8;

    /// <summary>Features rounded up to a multiple of 4, the tile width of the moment kernel; the extra rows stay zero.</summary>
    public static int PaddedDimension(int dimension) => (dimension + 3) & ~3;

    /// <summary>Per-thread buffers for one block; allocated once per thread, never inside the loops.</summary>
    public sealed class Scratch(int clusters, int dimension)
    {
        /// <summary>The block transposed: feature j of row i at [j·Stride + i]; padding rows and features are zero.</summary>
        public double[] Columns { get; } = new double[PaddedDimension(dimension) * Stride];

        /// <summary>Responsibility × feature for one component, laid out as <see cref="Columns"/>.</summary>
        public double[] Weighted { get; } = new double[PaddedDimension(dimension) * Stride];

        /// <summary>Weighted log-densities, then responsibilities: component c of row i at [c·Stride + i].</summary>
        public double[] Log { get; } = new double[clusters * Stride];

        /// <summary>Per-row maximum over components, then the row's log-density.</summary>
        public double[] Max { get; } = new double[BlockRows];

        /// <summary>Per-row sum of exponentials.</summary>
        public double[] Sum { get; } = new double[BlockRows];

        /// <summary>x − μ for the current two vectors of rows, one vector per feature each.</summary>
        public Vector<double>[] Differences { get; } = new Vector<double>[2 * dimension];
    }

    /// <summary>Copies rows [start, start+count) transposed into the scratch, zero-padded to whole vectors; returns the padded width.</summary>
    public static int Load(Matrix data, int start, int count, Scratch scratch)
    {
        var d = data.Cols;
        var lanes = Vector<double>.Count;
        var width = (count + lanes - 1) / lanes * lanes;
        var source = data.RowBlock(start, count);
        for (var j = 0; j < d; j++)
        {
            // Feature by feature: the writes are sequential and the strided reads stay in cache.
            var column = scratch.Columns.AsSpan(j * Stride, width);
            for (var i = 0; i < count; i++)
            {
                column[i] = source[i * d + j];
            }
            column[count..].Clear();
        }
        return width;
    }

    /// <summary>Writes log(π_c · N(x | μ_c, Σ_c)) for every loaded row and component into <see cref="Scratch.Log"/>.</summary>
    public static void WeightedLogDensities(GaussianMixtureModel model, Scratch scratch, int width)
    {
        var d = model.Dimension;
        var full = model.CovarianceType == CovarianceType.Full;
        var size = full ? d * d : d;
        for (var c = 0; c < model.ClusterCount; c++)
        {
            var mean = model.Means.AsSpan(c * d, d);
            var factor = model.PrecisionFactors.AsSpan(c * size, size);
            var output = scratch.Log.AsSpan(c * Stride, width);
            var normaliser = model.LogNormalisers[c];
            if (full)
            {
                LogDensitiesFull(scratch, width, mean, factor, normaliser, output);
            }
            else
            {
                LogDensitiesDiagonal(scratch, width, mean, factor, normaliser, output);
            }
        }
    }

    /// <summary>
    /// normaliser − ½‖L⁻¹(x − μ)‖² for every loaded row, two vectors of rows at a time so that each
    /// factor entry is broadcast once for both.
    /// </summary>
    private static void LogDensitiesFull(Scratch scratch, int width, ReadOnlySpan<double> mean, ReadOnlySpan<double> factor, double normaliser, Span<double> output)
    {
        var half = new Vector<double>(-0.5);
        var constant = new Vector<double>(normaliser);
        var d = mean.Length;
        var lanes = Vector<double>.Count;
        ReadOnlySpan<double> columns = scratch.Columns;
        var first = scratch.Differences.AsSpan(0, d);
        var second = scratch.Differences.AsSpan(d, d);
        var g = 0;
        for (; g + 2 * lanes <= width; g += 2 * lanes)
        {
            var squares0 = Vector<double>.Zero;
            var squares1 = Vector<double>.Zero;
            for (var j = 0; j < d; j++)
            {
                var column = columns.Slice(j * Stride + g);
                var mu = new Vector<double>(mean[j]);
                var diagonal = new Vector<double>(factor[j * d + j]);
                var difference0 = new Vector<double>(column) - mu;
                var difference1 = new Vector<double>(column.Slice(lanes)) - mu;
                first[j] = difference0;
                second[j] = difference1;
                // y_j = Σ_{l≤j} L⁻¹[j,l]·(x − μ)_l: L⁻¹ is lower triangular.
                var y0 = difference0 * diagonal;
                var y1 = difference1 * diagonal;
                var factorRow = factor.Slice(j * d, j);
                for (var l = 0; l < factorRow.Length; l++)
                {
                    var f = new Vector<double>(factorRow[l]);
                    y0 = Vector.FusedMultiplyAdd(first[l], f, y0);
                    y1 = Vector.FusedMultiplyAdd(second[l], f, y1);
                }
                squares0 = Vector.FusedMultiplyAdd(y0, y0, squares0);
                squares1 = Vector.FusedMultiplyAdd(y1, y1, squares1);
            }
            Vector.FusedMultiplyAdd(squares0, half, constant).CopyTo(output.Slice(g));
            Vector.FusedMultiplyAdd(squares1, half, constant).CopyTo(output.Slice(g + lanes));
        }
        for (; g < width; g += lanes)
        {
            var squares = Vector<double>.Zero;
            for (var j = 0; j < d; j++)
            {
                var difference = new Vector<double>(columns.Slice(j * Stride + g)) - new Vector<double>(mean[j]);
                first[j] = difference;
                var y = difference * new Vector<double>(factor[j * d + j]);
                var factorRow = factor.Slice(j * d, j);
                for (var l = 0; l < factorRow.Length; l++)
                {
                    y = Vector.FusedMultiplyAdd(first[l], new Vector<double>(factorRow[l]), y);
                }
                squares = Vector.FusedMultiplyAdd(y, y, squares);
            }
            Vector.FusedMultiplyAdd(squares, half, constant).CopyTo(output.Slice(g));
        }
    }

    /// <summary>normaliser − ½Σ_j ((x_j − μ_j)/σ_j)² for every loaded row.</summary>
    private static void LogDensitiesDiagonal(Scratch scratch, int width, ReadOnlySpan<double> mean, ReadOnlySpan<double> precision, double normaliser, Span<double> output)
    {
        var half = new Vector<double>(-0.5);
        var constant = new Vector<double>(normaliser);
        var lanes = Vector<double>.Count;
        ReadOnlySpan<double> columns = scratch.Columns;
        for (var g = 0; g < width; g += lanes)
        {
            var squares = Vector<double>.Zero;
            for (var j = 0; j < mean.Length; j++)
            {
                var y = (new Vector<double>(columns.Slice(j * Stride + g)) - new Vector<double>(mean[j])) * new Vector<double>(precision[j]);
                squares = Vector.FusedMultiplyAdd(y, y, squares);
            }
            Vector.FusedMultiplyAdd(squares, half, constant).CopyTo(output.Slice(g));
        }
    }

    /// <summary>
    /// Turns the weighted log-densities into responsibilities in place and the row maxima into the
    /// rows' log-densities (log-sum-exp); when <paramref name="labels"/> is given, first writes the
    /// most probable component of each row (lowest index on ties).
    /// </summary>
    public static void Normalise(int clusters, Scratch scratch, int width, int count, Span<int> labels)
    {
        var max = scratch.Max.AsSpan(0, width);
        var sum = scratch.Sum.AsSpan(0, width);
        scratch.Log.AsSpan(0, width).CopyTo(max);
        for (var c = 1; c < clusters; c++)
        {
            TensorPrimitives.Max(max, scratch.Log.AsSpan(c * Stride, width), max);
        }
        if (!labels.IsEmpty)
        {
            for (var i = 0; i < count; i++)
            {
                var label = 0;
                while (label < clusters - 1 && scratch.Log[label * Stride + i] != max[i])
                {
                    label++;
                }
                labels[i] = label;
            }
        }
        sum.Clear();
        for (var c = 0; c < clusters; c++)
        {
            var log = scratch.Log.AsSpan(c * Stride, width);
            TensorPrimitives.Subtract(log, max, log);
            ReproducibleMath.ExpNonPositive(log);
            TensorPrimitives.Add(sum, log, sum);
        }
        for (var c = 0; c < clusters; c++)
        {
            var log = scratch.Log.AsSpan(c * Stride, width);
            TensorPrimitives.Divide(log, sum, log);
        }
        for (var i = 0; i < width; i++)
        {
            max[i] += Math.Log(sum[i]);
        }
    }

    /// <summary>
    /// Scores every row in parallel blocks, writing whichever outputs are given: labels (n),
    /// log-densities (n), posterior probabilities (n×k, row-major).
    /// </summary>
    public static void Evaluate(Matrix data, GaussianMixtureModel model, int[]? labels, double[]? logDensities, float[]? probabilities)
    {
        var k = model.ClusterCount;
        var blocks = (data.Rows + BlockRows - 1) / BlockRows;
        Parallel.For(0, blocks, () => new Scratch(k, data.Cols), (b, _, scratch) =>
        {
            var start = b * BlockRows;
            var count = Math.Min(BlockRows, data.Rows - start);
            var width = Load(data, start, count, scratch);
            WeightedLogDensities(model, scratch, width);
            Normalise(k, scratch, width, count, labels is null ? [] : labels.AsSpan(start, count));
            if (logDensities is not null)
            {
                scratch.Max.AsSpan(0, count).CopyTo(logDensities.AsSpan(start, count));
            }
            if (probabilities is not null)
            {
                for (var i = 0; i < count; i++)
                {
                    for (var c = 0; c < k; c++)
                    {
                        probabilities[(long)(start + i) * k + c] = (float)scratch.Log[c * Stride + i];
                    }
                }
            }
            return scratch;
        }, _ => { });
    }
}
