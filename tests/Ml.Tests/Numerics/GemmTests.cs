using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Numerics;

public class GemmTests
{
    public static TheoryData<int, int, int, bool, bool> Shapes() => new()
    {
        { 1, 1, 1, false, false },
        { 3, 5, 7, false, false },
        { 3, 5, 7, true, false },
        { 3, 5, 7, false, true },
        { 3, 5, 7, true, true },
        { 70, 33, 300, false, true },
        { 65, 17, 257, true, false },
    };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ManagedKernelMatchesScalarReference(int m, int n, int k, bool transA, bool transB)
    {
        var (a, b, c, expected) = Case(m, n, k, transA, transB, alpha: 1.5f, beta: 0.5f);
        ManagedGemm.Sgemm(transA ? Transpose.Yes : Transpose.No, transB ? Transpose.Yes : Transpose.No, m, n, k, 1.5f,
            a, transA ? m : k, b, transB ? k : n, 0.5f, c, n);
        AssertClose(expected, c, k);
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void DispatchedGemmMatchesScalarReference(int m, int n, int k, bool transA, bool transB)
    {
        var (a, b, c, expected) = Case(m, n, k, transA, transB, alpha: 1f, beta: 0f);
        Gemm.Multiply(transA ? Transpose.Yes : Transpose.No, transB ? Transpose.Yes : Transpose.No, m, n, k, 1f,
            a, transA ? m : k, b, transB ? k : n, 0f, c, n);
        AssertClose(expected, c, k);
    }

    [Fact]
    public void RejectsUndersizedOperands() =>
        Assert.Throws<ArgumentException>(() => Gemm.MultiplyTransposed(new float[5], 2, new float[6], 2, 3, new float[4]));

    private static (float[] A, float[] B, float[] C, float[] Expected) Case(int m, int n, int k, bool transA, bool transB, float alpha, float beta)
    {
        var rng = new Rng((ulong)(m * 1000 + n * 10 + k));
        var a = Enumerable.Range(0, m * k).Select(_ => rng.NextSingle() - 0.5f).ToArray();
        var b = Enumerable.Range(0, k * n).Select(_ => rng.NextSingle() - 0.5f).ToArray();
        var c = Enumerable.Range(0, m * n).Select(_ => rng.NextSingle()).ToArray();
        var expected = new float[m * n];
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double sum = 0;
                for (var p = 0; p < k; p++)
                {
                    var aip = transA ? a[p * m + i] : a[i * k + p];
                    var bpj = transB ? b[j * k + p] : b[p * n + j];
                    sum += (double)aip * bpj;
                }
                expected[i * n + j] = (float)(alpha * sum + beta * c[i * n + j]);
            }
        }
        return (a, b, c, expected);
    }

    private static void AssertClose(float[] expected, float[] actual, int k)
    {
        var tolerance = 1e-5f * (k + 1);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= tolerance, $"element {i}: expected {expected[i]}, got {actual[i]}");
        }
    }
}
