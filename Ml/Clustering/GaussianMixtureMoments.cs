using System.Numerics;
using System.Numerics.Tensors;
using System.Runtime.InteropServices;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// The sums of the M-step over blocks of rows: per component Σγ, Σγx and Σγxxᵀ (or Σγx²), in
/// double precision, added into <see cref="GaussianMixtureStatistics"/>.
/// </summary>
internal static class GaussianMixtureMoments
{
    /// <summary>Adds the E-step statistics of rows [start, start+count) under <paramref name="model"/>, block by block.</summary>
    public static void Accumulate(Matrix data, int start, int count, GaussianMixtureModel model, GaussianMixtureStatistics statistics,
        GaussianMixtureKernel.Scratch scratch)
    {
        for (var offset = 0; offset < count; offset += GaussianMixtureKernel.BlockRows)
        {
            var rows = Math.Min(GaussianMixtureKernel.BlockRows, count - offset);
            var width = GaussianMixtureKernel.Load(data, start + offset, rows, scratch);
            GaussianMixtureKernel.WeightedLogDensities(model, scratch, width);
            GaussianMixtureKernel.Normalise(model.ClusterCount, scratch, width, rows, []);
            Add(statistics, scratch, rows, width);
            statistics.LogLikelihood += ReproducibleMath.Sum(scratch.Max.AsSpan(0, rows));
            statistics.Rows += rows;
        }
    }

    /// <summary>Adds the moments of rows [start, start+count) given hard labels (indexed like the rows).</summary>
    public static void AccumulateLabelled(Matrix data, int start, int count, ReadOnlySpan<int> labels, GaussianMixtureStatistics statistics,
        GaussianMixtureKernel.Scratch scratch)
    {
        var k = statistics.Clusters;
        for (var offset = 0; offset < count; offset += GaussianMixtureKernel.BlockRows)
        {
            var rows = Math.Min(GaussianMixtureKernel.BlockRows, count - offset);
            var width = GaussianMixtureKernel.Load(data, start + offset, rows, scratch);
            // One-hot responsibilities.
            scratch.Log.AsSpan(0, k * GaussianMixtureKernel.Stride).Clear();
            for (var i = 0; i < rows; i++)
            {
                var label = labels[start + offset + i];
                if ((uint)label >= (uint)k)
                {
                    throw new ArgumentOutOfRangeException(nameof(labels), $"Label {label} is not a component index in 0..{k - 1}.");
                }
                scratch.Log[label * GaussianMixtureKernel.Stride + i] = 1;
            }
            Add(statistics, scratch, rows, width);
            statistics.Rows += rows;
        }
    }

    /// <summary>
    /// Adds the moments of the loaded rows given their responsibilities in <see cref="GaussianMixtureKernel.Scratch.Log"/>.
    /// Responsibilities of padding rows may be anything: their features, hence their weighted features, are zero.
    /// </summary>
    private static void Add(GaussianMixtureStatistics statistics, GaussianMixtureKernel.Scratch scratch, int count, int width)
    {
        const int stride = GaussianMixtureKernel.Stride;
        var d = statistics.Dimension;
        var columns = scratch.Columns.AsSpan();
        var weighted = scratch.Weighted.AsSpan();
        for (var c = 0; c < statistics.Clusters; c++)
        {
            var responsibilities = scratch.Log.AsSpan(c * stride, width);
            statistics.Responsibilities[c] += ReproducibleMath.Sum(responsibilities[..count]);
            for (var l = 0; l < d; l++)
            {
                var products = weighted.Slice(l * stride, width);
                TensorPrimitives.Multiply(responsibilities, columns.Slice(l * stride, width), products);
                statistics.FirstMoments[c * d + l] += ReproducibleMath.Sum(products);
            }
            if (statistics.CovarianceType == CovarianceType.Full)
            {
                AddOuterProducts(statistics.SecondMoments.AsSpan(c * d * d, d * d), d, scratch, width);
            }
            else
            {
                for (var l = 0; l < d; l++)
                {
                    statistics.SecondMoments[c * d + l] += ReproducibleMath.Dot(weighted.Slice(l * stride, width), columns.Slice(l * stride, width));
                }
            }
        }
    }

    /// <summary>
    /// Adds Σᵢ (γx)ᵢ xᵢᵀ into a d×d matrix: the upper triangle by 2×4 tiles of (feature, feature)
    /// pairs, each tile one pass over the rows with eight vector accumulators (6 loads feed 8
    /// multiply-adds, where pairwise dot products need 2 per multiply-add), then mirrored.
    /// </summary>
    private static void AddOuterProducts(Span<double> sums, int d, GaussianMixtureKernel.Scratch scratch, int width)
    {
        const int stride = GaussianMixtureKernel.Stride;
        var lanes = Vector<double>.Count;
        ReadOnlySpan<double> columns = scratch.Columns;
        ReadOnlySpan<double> weighted = scratch.Weighted;
        var padded = GaussianMixtureKernel.PaddedDimension(d);
        Span<double> tile = stackalloc double[8];
        for (var l = 0; l < d; l += 2)
        {
            var w0 = weighted.Slice(l * stride, width);
            var w1 = weighted.Slice((l + 1) * stride, width);
            for (var j = l & ~3; j < padded; j += 4)
            {
                var x0 = columns.Slice(j * stride, width);
                var x1 = columns.Slice((j + 1) * stride, width);
                var x2 = columns.Slice((j + 2) * stride, width);
                var x3 = columns.Slice((j + 3) * stride, width);
                Vector<double> a00 = default, a01 = default, a02 = default, a03 = default;
                Vector<double> a10 = default, a11 = default, a12 = default, a13 = default;
                ref readonly var r0 = ref MemoryMarshal.GetReference(w0);
                ref readonly var r1 = ref MemoryMarshal.GetReference(w1);
                ref readonly var s0 = ref MemoryMarshal.GetReference(x0);
                ref readonly var s1 = ref MemoryMarshal.GetReference(x1);
                ref readonly var s2 = ref MemoryMarshal.GetReference(x2);
                ref readonly var s3 = ref MemoryMarshal.GetReference(x3);
                for (nuint g = 0; g < (nuint)width; g += (nuint)lanes)
                {
                    var u0 = Vector.LoadUnsafe(in r0, g);
                    var u1 = Vector.LoadUnsafe(in r1, g);
                    var v = Vector.LoadUnsafe(in s0, g);
                    a00 = Vector.FusedMultiplyAdd(u0, v, a00);
                    a10 = Vector.FusedMultiplyAdd(u1, v, a10);
                    v = Vector.LoadUnsafe(in s1, g);
                    a01 = Vector.FusedMultiplyAdd(u0, v, a01);
                    a11 = Vector.FusedMultiplyAdd(u1, v, a11);
                    v = Vector.LoadUnsafe(in s2, g);
                    a02 = Vector.FusedMultiplyAdd(u0, v, a02);
                    a12 = Vector.FusedMultiplyAdd(u1, v, a12);
                    v = Vector.LoadUnsafe(in s3, g);
                    a03 = Vector.FusedMultiplyAdd(u0, v, a03);
                    a13 = Vector.FusedMultiplyAdd(u1, v, a13);
                }
                tile[0] = ReproducibleMath.LaneSum(a00);
                tile[1] = ReproducibleMath.LaneSum(a01);
                tile[2] = ReproducibleMath.LaneSum(a02);
                tile[3] = ReproducibleMath.LaneSum(a03);
                tile[4] = ReproducibleMath.LaneSum(a10);
                tile[5] = ReproducibleMath.LaneSum(a11);
                tile[6] = ReproducibleMath.LaneSum(a12);
                tile[7] = ReproducibleMath.LaneSum(a13);
                for (var a = 0; a < 2; a++)
                {
                    for (var b = 0; b < 4; b++)
                    {
                        var row = l + a;
                        var column = j + b;
                        // Padding features and the tile corners below the diagonal are dropped.
                        if (row < d && column < d && column >= row)
                        {
                            sums[row * d + column] += tile[a * 4 + b];
                            if (column != row)
                            {
                                sums[column * d + row] += tile[a * 4 + b];
                            }
                        }
                    }
                }
            }
        }
    }
}
