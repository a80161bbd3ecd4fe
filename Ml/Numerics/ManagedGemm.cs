using System.Numerics.Tensors;

namespace Distributed.Ml.Numerics;

/// <summary>
/// Portable SGEMM: C = alpha·op(A)·op(B) + beta·C on row-major buffers, SIMD through
/// <see cref="TensorPrimitives"/>, rows of C split across threads in fixed blocks.
/// </summary>
/// <remarks>
/// Each element of C is summed over k in the same order whatever the thread count, so results are
/// deterministic. Transposed operands are copied to row-major first: the copy is O(size) against
/// the O(m·n·k) product.
/// </remarks>
internal static class ManagedGemm
{
    private const int RowBlock = 32;
    private const int DepthBlock = 256;

    public static void Sgemm(Transpose transA, Transpose transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        // op(A) as m×k row-major, op(B) as k×n row-major.
        var aRows = transA == Transpose.Yes ? TransposeCopy(a, k, m, lda) : null;
        var bRows = transB == Transpose.Yes ? TransposeCopy(b, n, k, ldb) : null;
        var aLd = aRows is null ? lda : k;
        var bLd = bRows is null ? ldb : n;
        var aArray = aRows ?? a.ToArray();
        var bArray = bRows ?? b.ToArray();
        var cArray = new float[m * n];
        for (var i = 0; i < m; i++)
        {
            var row = c.Slice(i * ldc, n);
            if (beta != 0f)
            {
                TensorPrimitives.Multiply(row, beta / alpha, cArray.AsSpan(i * n, n));
            }
        }

        var blocks = (m + RowBlock - 1) / RowBlock;
        Parallel.For(0, blocks, block =>
        {
            var rowStart = block * RowBlock;
            var rowEnd = Math.Min(m, rowStart + RowBlock);
            for (var p0 = 0; p0 < k; p0 += DepthBlock)
            {
                var p1 = Math.Min(k, p0 + DepthBlock);
                for (var i = rowStart; i < rowEnd; i++)
                {
                    var cRow = cArray.AsSpan(i * n, n);
                    var aRow = aArray.AsSpan(i * aLd, k);
                    for (var p = p0; p < p1; p++)
                    {
                        var aip = aRow[p];
                        if (aip != 0f)
                        {
                            TensorPrimitives.MultiplyAdd(bArray.AsSpan(p * bLd, n), aip, cRow, cRow);
                        }
                    }
                }
            }
        });

        for (var i = 0; i < m; i++)
        {
            TensorPrimitives.Multiply(cArray.AsSpan(i * n, n), alpha, c.Slice(i * ldc, n));
        }
    }

    /// <summary>Transposes a rows×cols block (leading dimension ld) into a cols×rows row-major array.</summary>
    private static float[] TransposeCopy(ReadOnlySpan<float> source, int rows, int cols, int ld)
    {
        var result = new float[rows * cols];
        for (var r = 0; r < rows; r++)
        {
            var row = source.Slice(r * ld, cols);
            for (var col = 0; col < cols; col++)
            {
                result[col * rows + r] = row[col];
            }
        }
        return result;
    }
}
