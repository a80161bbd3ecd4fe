using Distributed.Ml.Gpu;
using Distributed.Ml.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace Distributed.Ml.Tests.Gpu;

[Collection(DeviceCollection.Name)]
public sealed class DeviceSgemmTests(DeviceFixture fixture)
{
    /// <summary>float32's unit round-off, 2⁻²⁴.</summary>
    private const double UnitRoundoff = 1.0 / (1 << 24);

    /// <summary>
    /// Every transpose case, with sizes around the kernel's 64-wide blocks and 16-deep tiles (one
    /// element, under one tile, exactly one, one over, several) and the autoencoder's odd widths (10, 784).
    /// </summary>
    public static TheoryData<int, int, int, bool, bool> Shapes()
    {
        var data = new TheoryData<int, int, int, bool, bool>();
        foreach (var (m, n, k) in new[] { (1, 1, 1), (3, 5, 7), (64, 64, 16), (65, 17, 33), (37, 70, 10), (10, 129, 784 / 16) })
        {
            foreach (var transA in new[] { false, true })
            {
                foreach (var transB in new[] { false, true })
                {
                    data.Add(m, n, k, transA, transB);
                }
            }
        }
        return data;
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void MatchesTheManagedKernelWithinTheRoundingBound(int m, int n, int k, bool transA, bool transB)
    {
        var (a, b, c) = Operands(m, n, k, seed: (ulong)(m * 7919 + n * 31 + k));
        var expected = (float[])c.Clone();
        var (ta, tb) = (transA ? Transpose.Yes : Transpose.No, transB ? Transpose.Yes : Transpose.No);
        int lda = transA ? m : k, ldb = transB ? k : n;
        const float alpha = 1.5f, beta = 0.5f;
        ManagedGemm.Sgemm(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, expected, n);

        var actual = Device(ta, tb, m, n, k, alpha, a, lda, b, ldb, beta, c);

        // Two float sums of the same k products in different orders differ by at most
        // 2·γ_k·Σ|a·b| (γ_k = k·u/(1 − k·u), u the unit round-off); scaled by alpha, plus beta·C's rounding.
        var gamma = k * UnitRoundoff / (1 - k * UnitRoundoff);
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double magnitude = 0;
                for (var p = 0; p < k; p++)
                {
                    magnitude += Math.Abs((double)(transA ? a[p * m + i] : a[i * k + p]) * (transB ? b[j * k + p] : b[p * n + j]));
                }
                var bound = 2 * gamma * alpha * magnitude + 4 * UnitRoundoff * (Math.Abs(expected[i * n + j]) + Math.Abs(beta * c[i * n + j]));
                Assert.True(Math.Abs(expected[i * n + j] - actual[i * n + j]) <= bound,
                    $"C[{i},{j}] of {m}×{n}×{k} ({ta}, {tb}): managed {expected[i * n + j]}, device {actual[i * n + j]}, bound {bound}");
            }
        }
    }

    [Fact]
    public void BetaZeroIgnoresWhatCHeld()
    {
        var (a, b, _) = Operands(5, 6, 7, seed: 3);
        var c = Enumerable.Repeat(float.NaN, 30).ToArray();
        var result = Device(Transpose.No, Transpose.No, 5, 6, 7, 1f, a, 7, b, 6, 0f, c);
        Assert.All(result, v => Assert.True(float.IsFinite(v)));
    }

    [Fact]
    public void ARowDoesNotDependOnTheOtherRowsAndRunsRepeatExactly()
    {
        const int m = 70, n = 45, k = 33;
        var (a, b, c) = Operands(m, n, k, seed: 11);
        var whole = Device(Transpose.No, Transpose.Yes, m, n, k, 1f, a, k, b, k, 0f, c);
        Assert.Equal(whole, Device(Transpose.No, Transpose.Yes, m, n, k, 1f, a, k, b, k, 0f, c));
        // Row 66 alone, and rows 60..69 as a block of their own: the same bits as in the whole product.
        foreach (var (start, count) in new[] { (66, 1), (60, 10) })
        {
            var part = Device(Transpose.No, Transpose.Yes, count, n, k, 1f, a[(start * k)..((start + count) * k)], k, b, k, 0f, new float[count * n]);
            Assert.Equal(whole[(start * n)..((start + count) * n)], part);
        }
    }

    [Fact]
    public void RefusesOperandsTooSmallForTheirShape()
    {
        using var hold = fixture.Device.Use();
        // 10 values where each 4×4 operand needs 16.
        using var scope = fixture.Device.Accelerator.Allocate1D<float>(10);
        ArrayView<float> view = scope.View;
        Assert.Throws<ArgumentException>(() => DeviceSgemm.Run(fixture.Device.Kernels, Transpose.No, Transpose.No, 4, 4, 4, 1f, view, 4, view, 4, 0f, view, 4));
    }

    private float[] Device(Transpose ta, Transpose tb, int m, int n, int k, float alpha, float[] a, int lda, float[] b, int ldb, float beta, float[] c)
    {
        using var hold = fixture.Device.Use();
        var accelerator = fixture.Device.Accelerator;
        using var da = accelerator.Allocate1D(a);
        using var db = accelerator.Allocate1D(b);
        using var dc = accelerator.Allocate1D(c);
        DeviceSgemm.Run(fixture.Device.Kernels, ta, tb, m, n, k, alpha, da.View, lda, db.View, ldb, beta, dc.View, n);
        return dc.GetAsArray1D();
    }

    private static (float[] A, float[] B, float[] C) Operands(int m, int n, int k, ulong seed)
    {
        var rng = new Rng(seed);
        float Next() => rng.NextSingle() * 2 - 1;
        return ([.. Enumerable.Range(0, m * k).Select(_ => Next())], [.. Enumerable.Range(0, k * n).Select(_ => Next())], [.. Enumerable.Range(0, m * n).Select(_ => Next())]);
    }
}
