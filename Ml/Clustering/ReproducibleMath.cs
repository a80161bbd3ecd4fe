using System.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// Sums, dot products and exp over double spans whose results depend only on the inputs.
/// </summary>
/// <remarks>
/// <see cref="System.Numerics.Tensors.TensorPrimitives"/> reductions and transcendental functions
/// may run as precompiled (ReadyToRun) code early in a process and as re-jitted code with wider
/// vectors later, and the two can differ in the last bit: two fits with the same seed in one
/// process then disagree. These run from this assembly's JIT-compiled code with a fixed lane
/// layout and a fixed final order, so the Gaussian mixture stays bit-reproducible. (Element-wise
/// + − × ÷ and max are exactly rounded, so any implementation of those gives the same bits.)
/// </remarks>
internal static class ReproducibleMath
{
    private const double Log2E = 1.4426950408889634;
    // ln 2 split so that k·Ln2High is exact for |k| < 2^11 (Cody–Waite reduction).
    private const double Ln2High = 0.693147180369123816490;
    private const double Ln2Low = 1.90821492927058770002e-10;
    // Adding and subtracting 1.5·2^52 rounds a double of magnitude below 2^51 to an integer.
    private const double RoundingShift = 6755399441055744.0;
    // Below this exp would be subnormal; such responsibilities are zero to any purpose.
    private const double MinExponent = -708.0;

    /// <summary>Σ values: lanes accumulated side by side, then added in lane order, then the tail.</summary>
    public static double Sum(ReadOnlySpan<double> values)
    {
        var lanes = Vector<double>.Count;
        var accumulator = Vector<double>.Zero;
        var i = 0;
        for (; i + lanes <= values.Length; i += lanes)
        {
            accumulator += new Vector<double>(values[i..]);
        }
        var sum = LaneSum(accumulator);
        for (; i < values.Length; i++)
        {
            sum += values[i];
        }
        return sum;
    }

    /// <summary>Σ x·y, in the same order as <see cref="Sum"/>.</summary>
    public static double Dot(ReadOnlySpan<double> x, ReadOnlySpan<double> y)
    {
        var lanes = Vector<double>.Count;
        var accumulator = Vector<double>.Zero;
        var i = 0;
        for (; i + lanes <= x.Length; i += lanes)
        {
            accumulator = Vector.FusedMultiplyAdd(new Vector<double>(x[i..]), new Vector<double>(y[i..]), accumulator);
        }
        var sum = LaneSum(accumulator);
        for (; i < x.Length; i++)
        {
            sum = Math.FusedMultiplyAdd(x[i], y[i], sum);
        }
        return sum;
    }

    /// <summary>The lanes of a vector added in index order.</summary>
    public static double LaneSum(Vector<double> vector)
    {
        var sum = 0.0;
        for (var i = 0; i < Vector<double>.Count; i++)
        {
            sum += vector[i];
        }
        return sum;
    }

    /// <summary>
    /// e^x in place for values that are at most 0 (log-sum-exp terms), within a few ulp; values
    /// below −708 (and −∞) give about 3e−308 rather than a subnormal or 0. The length must be a
    /// whole number of vectors.
    /// </summary>
    public static void ExpNonPositive(Span<double> values)
    {
        var lanes = Vector<double>.Count;
        var floor = new Vector<double>(MinExponent);
        var shift = new Vector<double>(RoundingShift);
        for (var i = 0; i < values.Length; i += lanes)
        {
            var x = Vector.Max(new Vector<double>(values[i..]), floor);
            // x = k·ln 2 + r with |r| ≤ ln 2 / 2.
            var k = Vector.FusedMultiplyAdd(x, new Vector<double>(Log2E), shift) - shift;
            var r = Vector.FusedMultiplyAdd(k, new Vector<double>(-Ln2High), x);
            r = Vector.FusedMultiplyAdd(k, new Vector<double>(-Ln2Low), r);
            // Taylor series to r^13/13!: the remainder is below 2e−16 on |r| ≤ 0.35.
            var p = new Vector<double>(1.0 / 6227020800.0);
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 479001600.0));
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 39916800.0));
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 3628800.0));
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 362880.0));
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 40320.0));
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 5040.0));
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 720.0));
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 120.0));
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 24.0));
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(1.0 / 6.0));
            p = Vector.FusedMultiplyAdd(p, r, new Vector<double>(0.5));
            p = Vector.FusedMultiplyAdd(p, r, Vector<double>.One);
            p = Vector.FusedMultiplyAdd(p, r, Vector<double>.One);
            // 2^k from its exponent bits: k is an integer in [−1022, 0].
            var scale = Vector.AsVectorDouble((Vector.ConvertToInt64(k) + new Vector<long>(1023)) << 52);
            (p * scale).CopyTo(values[i..]);
        }
    }
}
