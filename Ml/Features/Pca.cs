using Distributed.Ml.Numerics;
using MathNet.Numerics.LinearAlgebra;

namespace Distributed.Ml.Features;

/// <summary>
/// Principal component analysis by eigendecomposition of the covariance matrix.
/// </summary>
/// <remarks>
/// The covariance is accumulated in double precision from centred blocks of rows (one SGEMM per
/// block), so memory stays O(d²) beyond the input and precision does not depend on n. Exact and
/// deterministic: no randomness. An axis has no intrinsic sign; each is oriented so that its
/// entry of largest magnitude is positive, which makes refits on the same data agree.
/// </remarks>
public static class Pca
{
    private const int BlockRows = 4096;

    /// <summary>Fits the principal axes of the rows of <paramref name="data"/>.</summary>
    /// <remarks>
    /// Two passes over the rows, one block at a time (the means, then the covariance), so rows kept
    /// outside memory (a job's shards) need not be gathered into one matrix; a matrix and a source of
    /// the same rows give the same bits.
    /// </remarks>
    public static PcaModel Fit(IRowSource data, PcaOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        var n = data.Rows;
        var d = data.Cols;
        if (n < 2)
        {
            throw new ArgumentException("PCA needs at least 2 rows.", nameof(data));
        }
        if (options.Components < 1 || options.Components > Math.Min(n, d))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"PCA components must be in 1..{Math.Min(n, d)}, got {options.Components}.");
        }

        var mean = ColumnMeans(data);
        var covariance = Covariance(data, mean);
        var evd = Matrix<double>.Build.DenseOfColumnMajor(d, d, covariance).Evd(Symmetricity.Symmetric);
        var eigenvalues = evd.EigenValues.Real().ToArray();
        var eigenvectors = evd.EigenVectors;

        var order = new int[d];
        for (var i = 0; i < d; i++)
        {
            order[i] = i;
        }
        Array.Sort(order, (x, y) => eigenvalues[y].CompareTo(eigenvalues[x]));

        var k = options.Components;
        var components = new float[k * d];
        var explained = new double[k];
        var total = 0.0;
        foreach (var value in eigenvalues)
        {
            total += Math.Max(0.0, value);
        }
        for (var c = 0; c < k; c++)
        {
            var column = order[c];
            explained[c] = Math.Max(0.0, eigenvalues[column]);
            var largest = 0.0;
            for (var j = 0; j < d; j++)
            {
                var v = eigenvectors[j, column];
                if (Math.Abs(v) > Math.Abs(largest))
                {
                    largest = v;
                }
            }
            var sign = largest < 0 ? -1.0 : 1.0;
            for (var j = 0; j < d; j++)
            {
                components[c * d + j] = (float)(sign * eigenvectors[j, column]);
            }
        }
        var ratio = new double[k];
        for (var c = 0; c < k; c++)
        {
            ratio[c] = total > 0 ? explained[c] / total : 0.0;
        }
        return new PcaModel(mean, components, k, explained, ratio, options.Whiten);
    }

    private static float[] ColumnMeans(IRowSource data)
    {
        var d = data.Cols;
        var sums = new double[d];
        data.ForEachBlock(BlockRows, (rows, _, count) =>
        {
            for (var i = 0; i < count; i++)
            {
                var row = rows.Slice(i * d, d);
                for (var j = 0; j < d; j++)
                {
                    sums[j] += row[j];
                }
            }
        });
        var mean = new float[d];
        for (var j = 0; j < mean.Length; j++)
        {
            mean[j] = (float)(sums[j] / data.Rows);
        }
        return mean;
    }

    /// <summary>Sample covariance (divisor n − 1), column-major d×d (it is symmetric).</summary>
    private static double[] Covariance(IRowSource data, float[] mean)
    {
        var d = data.Cols;
        var covariance = new double[d * d];
        var centred = new float[BlockRows * d];
        var block = new float[d * d];
        data.ForEachBlock(BlockRows, (source, _, rows) =>
        {
            for (var r = 0; r < rows; r++)
            {
                System.Numerics.Tensors.TensorPrimitives.Subtract(source.Slice(r * d, d), mean, centred.AsSpan(r * d, d));
            }
            Gemm.Multiply(Transpose.Yes, Transpose.No, d, d, rows, 1f, centred, d, centred, d, 0f, block, d);
            for (var i = 0; i < covariance.Length; i++)
            {
                covariance[i] += block[i];
            }
        });
        var scale = 1.0 / (data.Rows - 1);
        for (var i = 0; i < covariance.Length; i++)
        {
            covariance[i] *= scale;
        }
        return covariance;
    }
}
