using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Numerics;

public class InferenceGemmTests
{
    /// <summary>Row counts around the 4-row block, depths around zero, and every width up to 70 (past two 16-lane vectors and their tails).</summary>
    [Fact]
    public void MatchesADoublePrecisionReferenceForEveryWidth()
    {
        foreach (var m in new[] { 0, 1, 3, 4, 5, 9 })
        {
            foreach (var k in new[] { 0, 1, 7, 33, 288 })
            {
                for (var n = 0; n <= 70; n++)
                {
                    var (a, b, bias) = Operands(m, k, n, seed: (ulong)(m * 100_000 + k * 100 + n));
                    var c = new float[m * n];
                    InferenceGemm.MultiplyAddBias(a, m, k, b, n, bias, c);
                    AssertMatchesReference(c, a, m, k, n, bias, (p, j) => b[p * n + j]);
                }
            }
        }
    }

    /// <summary>
    /// Each element is the bias followed by one fused multiply-add per p, in p order, to the bit:
    /// whichever block (64 or 32 columns of 512-bit vectors, <c>Vector&lt;float&gt;</c> or scalar)
    /// computes its column, so the result does not depend on the vector widths of the machine.
    /// </summary>
    [Fact]
    public void EachElementIsTheScalarFusedSumToTheBit()
    {
        foreach (var m in new[] { 1, 4, 5 })
        {
            foreach (var n in new[] { 7, 16, 32, 33, 48, 64, 70, 96, 128, 137 })
            {
                const int k = 288;
                var (a, b, bias) = Operands(m, k, n, seed: (ulong)(m * 1000 + n));
                var c = new float[m * n];
                InferenceGemm.MultiplyAddBias(a, m, k, b, n, bias, c);
                for (var i = 0; i < m; i++)
                {
                    for (var j = 0; j < n; j++)
                    {
                        var sum = bias[j];
                        for (var p = 0; p < k; p++)
                        {
                            sum = MathF.FusedMultiplyAdd(a[i * k + p], b[p * n + j], sum);
                        }
                        Assert.Equal(BitConverter.SingleToInt32Bits(sum), BitConverter.SingleToInt32Bits(c[i * n + j]));
                    }
                }
            }
        }
    }

    /// <summary>What a served image gets must not depend on the images computed with it.</summary>
    [Fact]
    public void ARowComesOutTheSameToTheBitAloneOrInABlock()
    {
        const int m = 11, k = 288, n = 70;
        var (a, b, bias) = Operands(m, k, n, seed: 7);
        var together = new float[m * n];
        InferenceGemm.MultiplyAddBias(a, m, k, b, n, bias, together);
        for (var i = 0; i < m; i++)
        {
            var alone = new float[n];
            InferenceGemm.MultiplyAddBias(a.AsSpan(i * k, k), 1, k, b, n, bias, alone);
            Assert.Equal(together.AsSpan(i * n, n).ToArray(), alone);
        }
    }

    /// <summary>A dense layer's product against its weights as stored (outputs × inputs): depths around the vector widths and their tails, output counts around the 2-output block.</summary>
    [Fact]
    public void TheTransposedProductMatchesADoublePrecisionReference()
    {
        foreach (var m in new[] { 0, 1, 3, 4, 5, 9 })
        {
            foreach (var n in new[] { 0, 1, 2, 3, 10, 64 })
            {
                for (var k = 0; k <= 70; k++)
                {
                    var (a, w, bias) = Operands(m, k, n, seed: (ulong)(m * 100_000 + n * 100 + k));
                    var c = new float[m * n];
                    InferenceGemm.MultiplyTransposedAddBias(a, m, k, w, n, bias, c);
                    AssertMatchesReference(c, a, m, k, n, bias, (p, j) => w[j * k + p]);
                }
            }
        }
    }

    [Fact]
    public void TheTransposedProductGivesARowTheSameBitsAloneOrInABlock()
    {
        const int m = 11, k = 789, n = 13;
        var (a, w, bias) = Operands(m, k, n, seed: 8);
        var together = new float[m * n];
        InferenceGemm.MultiplyTransposedAddBias(a, m, k, w, n, bias, together);
        for (var i = 0; i < m; i++)
        {
            var alone = new float[n];
            InferenceGemm.MultiplyTransposedAddBias(a.AsSpan(i * k, k), 1, k, w, n, bias, alone);
            Assert.Equal(together.AsSpan(i * n, n).ToArray(), alone);
        }
    }

    [Fact]
    public void RejectsOperandsShorterThanTheirShape()
    {
        Assert.Throws<ArgumentException>(() => InferenceGemm.MultiplyAddBias(new float[5], 2, 3, new float[6], 2, new float[2], new float[4]));
        Assert.Throws<ArgumentException>(() => InferenceGemm.MultiplyAddBias(new float[6], 2, 3, new float[6], 2, new float[1], new float[4]));
        Assert.Throws<ArgumentException>(() => InferenceGemm.MultiplyAddBias(new float[6], 2, 3, new float[6], 2, new float[2], new float[3]));
        Assert.Throws<ArgumentException>(() => InferenceGemm.MultiplyTransposedAddBias(new float[6], 2, 3, new float[5], 2, new float[2], new float[4]));
    }

    /// <summary>Checks every element against bias + Σ a·b in double precision, with a tolerance scaled by the depth and the terms' size.</summary>
    private static void AssertMatchesReference(float[] c, float[] a, int m, int k, int n, float[] bias, Func<int, int, float> b)
    {
        for (var i = 0; i < m; i++)
        {
            for (var j = 0; j < n; j++)
            {
                double expected = bias[j], scale = Math.Abs(bias[j]);
                for (var p = 0; p < k; p++)
                {
                    expected += (double)a[i * k + p] * b(p, j);
                    scale += Math.Abs((double)a[i * k + p] * b(p, j));
                }
                Assert.True(Math.Abs(c[i * n + j] - expected) <= 1e-6 * (k + 1) * (scale + 1),
                    $"m {m}, k {k}, n {n}: c[{i},{j}] = {c[i * n + j]}, expected {expected}");
            }
        }
    }

    private static (float[] A, float[] B, float[] Bias) Operands(int m, int k, int n, ulong seed)
    {
        var rng = new Rng(seed);
        float Next() => (float)(rng.NextDouble() * 2 - 1);
        return ([.. Enumerable.Range(0, m * k).Select(_ => Next())], [.. Enumerable.Range(0, k * n).Select(_ => Next())], [.. Enumerable.Range(0, n).Select(_ => Next())]);
    }
}
