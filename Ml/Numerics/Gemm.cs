namespace Distributed.Ml.Numerics;

/// <summary>
/// Single-precision matrix product on row-major buffers: C = alpha·op(A)·op(B) + beta·C, where
/// op(A) is m×k and op(B) is k×n. Uses OpenBLAS when it is installed, otherwise the managed kernel.
/// </summary>
public static class Gemm
{
    /// <summary>Name of the backend in use: <c>openblas</c> or <c>managed</c>.</summary>
    public static string Backend => OpenBlas.IsAvailable ? "openblas" : "managed";

    /// <summary>Name of the backend <see cref="MultiplyForTraining"/> uses: <c>packed512</c> or <see cref="Backend"/>'s.</summary>
    public static string TrainingBackend => PackedGemm.IsSupported ? "packed512" : Backend;

    /// <summary>Computes C = alpha·op(A)·op(B) + beta·C.</summary>
    /// <param name="transA">Whether A is stored as k×m and used transposed.</param>
    /// <param name="transB">Whether B is stored as n×k and used transposed.</param>
    /// <param name="m">Rows of C.</param>
    /// <param name="n">Columns of C.</param>
    /// <param name="k">Inner dimension.</param>
    /// <param name="alpha">Scale of the product.</param>
    /// <param name="a">A, row-major with leading dimension <paramref name="lda"/>.</param>
    /// <param name="lda">Distance between A's rows as stored.</param>
    /// <param name="b">B, row-major with leading dimension <paramref name="ldb"/>.</param>
    /// <param name="ldb">Distance between B's rows as stored.</param>
    /// <param name="beta">Scale of the existing C (0 ignores its contents).</param>
    /// <param name="c">C, row-major with leading dimension <paramref name="ldc"/>.</param>
    /// <param name="ldc">Distance between C's rows.</param>
    public static void Multiply(Transpose transA, Transpose transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        CheckShapes(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0)
        {
            return;
        }
        if (k == 0 || alpha == 0f)
        {
            for (var i = 0; i < m; i++)
            {
                var row = c.Slice(i * ldc, n);
                if (beta == 0f)
                {
                    row.Clear();
                }
                else
                {
                    System.Numerics.Tensors.TensorPrimitives.Multiply(row, beta, row);
                }
            }
            return;
        }
        if (OpenBlas.IsAvailable)
        {
            OpenBlas.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        }
        else
        {
            ManagedGemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
        }
    }

    /// <summary>
    /// <see cref="Multiply"/> for a network's training step (dense and convolution layers' forward
    /// and backward products): through <see cref="PackedGemm"/>'s 512-bit kernel where the hardware
    /// runs 512-bit vectors, otherwise as <see cref="Multiply"/>.
    /// Its sums are ordered by k alone, so a row of C is the same bits whatever the batch around it,
    /// but not the same bits as <see cref="Multiply"/>'s: products compared with each other (a
    /// sharded fit against a whole one) go through one or the other, never both.
    /// </summary>
    public static void MultiplyForTraining(Transpose transA, Transpose transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (!PackedGemm.IsSupported || m == 0 || n == 0 || k == 0 || alpha == 0f)
        {
            Multiply(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
            return;
        }
        CheckShapes(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        PackedGemm.Sgemm(transA, transB, m, n, k, alpha, a, lda, b, ldb, beta, c, ldc);
    }

    /// <summary>C (m×n) = A (m×k) · Bᵀ where B is n×k: the "rows against rows" product used for distances.</summary>
    public static void MultiplyTransposed(ReadOnlySpan<float> a, int m, ReadOnlySpan<float> b, int n, int k, Span<float> c) =>
        Multiply(Transpose.No, Transpose.Yes, m, n, k, 1f, a, k, b, k, 0f, c, n);

    /// <summary>
    /// Checks that operands of the given lengths hold the shapes of a product (see <see cref="Multiply"/>);
    /// shared with the device SGEMM, whose operands live in device memory.
    /// </summary>
    /// <exception cref="ArgumentException">An operand or a leading dimension is too small.</exception>
    internal static void CheckShapes(Transpose transA, Transpose transB, int m, int n, int k, long aLength, int lda, long bLength, int ldb, long cLength, int ldc)
    {
        Validate(transA, m, k, aLength, lda, "a");
        Validate(transB, k, n, bLength, ldb, "b");
        if (ldc < n || (m > 0 && cLength < (long)(m - 1) * ldc + n))
        {
            throw new ArgumentException($"C is too small for {m}×{n} with ldc {ldc}.", "c");
        }
    }

    private static void Validate(Transpose trans, int rows, int cols, long length, int ld, string name)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        var storedRows = trans == Transpose.Yes ? cols : rows;
        var storedCols = trans == Transpose.Yes ? rows : cols;
        if (ld < Math.Max(1, storedCols) || (storedRows > 0 && length < (long)(storedRows - 1) * ld + storedCols))
        {
            throw new ArgumentException($"Operand is too small for {storedRows}×{storedCols} with leading dimension {ld}.", name);
        }
    }
}
