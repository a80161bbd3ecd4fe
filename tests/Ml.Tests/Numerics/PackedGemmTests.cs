using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Numerics;

public class PackedGemmTests
{
    /// <summary>
    /// Shapes around the kernel's edges: a single element, whole 6×64 tiles, tiles cut short in
    /// rows and columns, depths of one and of more than one 256-deep block, narrow products that are
    /// computed transposed (n ≤ 32 and m &gt; n), and the dense autoencoder's own (batch 256).
    /// </summary>
    public static TheoryData<int, int, int, bool, bool> Shapes() => new()
    {
        { 1, 1, 1, false, false },
        { 6, 64, 256, false, true },
        { 6, 64, 256, true, false },
        { 7, 65, 3, false, false },
        { 13, 130, 513, true, true },
        { 13, 130, 513, false, true },
        { 40, 200, 300, true, false },
        { 300, 10, 600, false, true },
        { 300, 10, 600, true, true },
        { 5, 3, 2, false, false },
        { 100, 32, 300, false, false },
        { 256, 500, 784, false, true },
        { 500, 784, 256, true, false },
        { 256, 784, 500, false, false },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesTheDoublePrecisionProduct(int m, int n, int k, bool transA, bool transB)
    {
        var (operands, expected) = Case(m, n, k, transA, transB, alpha: 1.5f, beta: 0.5f);
        operands.Run();
        AssertClose(expected, operands, k);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void WithBetaZeroIgnoresWhatCHeld(int m, int n, int k, bool transA, bool transB)
    {
        var (operands, expected) = Case(m, n, k, transA, transB, alpha: 1f, beta: 0f);
        for (var i = 0; i < m; i++)
        {
            operands.C.AsSpan(i * operands.Ldc, n).Fill(float.NaN);
        }
        operands.Run();
        AssertClose(expected, operands, k);
    }

    [Fact]
    public void EachRowAndColumnIsTheSameBitsWhateverIsComputedWithIt()
    {
        // 50 rows × 150 columns in one product: whole and short tiles, in-place and packed bands.
        const int m = 50, n = 150, k = 600;
        var (whole, _) = Case(m, n, k, transA: false, transB: true, alpha: 1f, beta: 0f);
        whole.Run();
        for (var i = 0; i < m; i += 7)
        {
            // Row i alone: a one-row product, its band packed and short.
            var alone = new float[n];
            PackedGemm.Sgemm(Transpose.No, Transpose.Yes, 1, n, k, 1f, whole.A.AsSpan(i * whole.Lda), whole.Lda, whole.B, whole.Ldb, 0f, alone, n);
            Assert.Equal(whole.C.AsSpan(i * whole.Ldc, n).ToArray(), alone);
        }
        // The first seven columns alone: narrow, so computed transposed.
        var narrow = new float[m * 7];
        PackedGemm.Sgemm(Transpose.No, Transpose.Yes, m, 7, k, 1f, whole.A, whole.Lda, whole.B, whole.Ldb, 0f, narrow, 7);
        for (var i = 0; i < m; i++)
        {
            Assert.Equal(whole.C.AsSpan(i * whole.Ldc, 7).ToArray(), narrow.AsSpan(i * 7, 7).ToArray());
        }
    }

    [Fact]
    public void TrainingProductsGoThroughThePackedKernelWhereTheHardwareHasOne()
    {
        var (operands, _) = Case(20, 70, 300, transA: true, transB: false, alpha: 1f, beta: 0f);
        var trained = new float[operands.C.Length];
        Gemm.MultiplyForTraining(Transpose.Yes, Transpose.No, 20, 70, 300, 1f, operands.A, operands.Lda, operands.B, operands.Ldb, 0f, trained, operands.Ldc);
        var reference = new float[operands.C.Length];
        if (PackedGemm.IsSupported)
        {
            PackedGemm.Sgemm(Transpose.Yes, Transpose.No, 20, 70, 300, 1f, operands.A, operands.Lda, operands.B, operands.Ldb, 0f, reference, operands.Ldc);
            Assert.Equal("packed512", Gemm.TrainingBackend);
        }
        else
        {
            Gemm.Multiply(Transpose.Yes, Transpose.No, 20, 70, 300, 1f, operands.A, operands.Lda, operands.B, operands.Ldb, 0f, reference, operands.Ldc);
            Assert.Equal(Gemm.Backend, Gemm.TrainingBackend);
        }
        Assert.Equal(reference, trained);
    }

    [Fact]
    public void TrainingProductsRejectUndersizedOperands() =>
        Assert.Throws<ArgumentException>(() => Gemm.MultiplyForTraining(Transpose.No, Transpose.No, 2, 70, 3, 1f, new float[6], 3, new float[3 * 70], 70, 0f, new float[139], 70));

    /// <summary>Operands with leading dimensions wider than their rows, so strides are not taken for widths.</summary>
    private sealed record Operands(Transpose TransA, Transpose TransB, int M, int N, int K, float Alpha, float Beta, float[] A, int Lda, float[] B, int Ldb, float[] C, int Ldc)
    {
        public void Run() => PackedGemm.Sgemm(TransA, TransB, M, N, K, Alpha, A, Lda, B, Ldb, Beta, C, Ldc);
    }

    private static (Operands Operands, double[] Expected) Case(int m, int n, int k, bool transA, bool transB, float alpha, float beta)
    {
        var rng = new Rng((ulong)(m * 1_000_000 + n * 1000 + k));
        var (aRows, aColumns) = transA ? (k, m) : (m, k);
        var (bRows, bColumns) = transB ? (n, k) : (k, n);
        int lda = aColumns + 3, ldb = bColumns + 5, ldc = n + 2;
        var a = Enumerable.Range(0, aRows * lda).Select(_ => rng.NextSingle() - 0.5f).ToArray();
        var b = Enumerable.Range(0, bRows * ldb).Select(_ => rng.NextSingle() - 0.5f).ToArray();
        var c = Enumerable.Range(0, m * ldc).Select(_ => rng.NextSingle()).ToArray();
        var expected = new double[m * ldc];
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < ldc; j++)
            {
                if (j >= n)
                {
                    expected[i * ldc + j] = c[i * ldc + j]; // padding between rows stays as it was
                    continue;
                }
                double sum = 0;
                for (var p = 0; p < k; p++)
                {
                    sum += (double)(transA ? a[p * lda + i] : a[i * lda + p]) * (transB ? b[j * ldb + p] : b[p * ldb + j]);
                }
                expected[i * ldc + j] = alpha * sum + (beta == 0f ? 0 : beta * (double)c[i * ldc + j]);
            }
        }
        var operands = new Operands(transA ? Transpose.Yes : Transpose.No, transB ? Transpose.Yes : Transpose.No, m, n, k, alpha, beta, a, lda, b, ldb, c, ldc);
        return (operands, expected);
    }

    private static void AssertClose(double[] expected, Operands actual, int k)
    {
        // Float sums of k products of values below 0.5 in size: the error grows with k.
        var tolerance = 2e-6 * (k + 1);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual.C[i]) <= tolerance, $"element {i} (row {i / actual.Ldc}, column {i % actual.Ldc}): expected {expected[i]}, got {actual.C[i]}");
        }
    }
}
