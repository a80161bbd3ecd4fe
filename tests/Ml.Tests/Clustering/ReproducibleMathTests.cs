using Distributed.Ml.Clustering;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Clustering;

public class ReproducibleMathTests
{
    [Fact]
    public void ExpAgreesWithMathExpToAFewUlp()
    {
        var rng = new Rng(4);
        var values = new double[4096];
        for (var i = 0; i < values.Length; i++)
        {
            values[i] = i < 16 ? -i * 0.125 : -Math.Pow(10, 3 * rng.NextDouble() - 1) * rng.NextDouble() * 7;
        }
        values[16] = -707.5;
        var exp = values.ToArray();
        ReproducibleMath.ExpNonPositive(exp);
        for (var i = 0; i < values.Length; i++)
        {
            var expected = Math.Exp(values[i]);
            Assert.True(Math.Abs(exp[i] - expected) <= 1e-15 * expected, $"exp({values[i]:R}) = {exp[i]:R}, expected {expected:R}");
        }
        Assert.Equal(1.0, exp[0]);

        // Below −708 (and −∞, a component of weight 0) the result is a negligible positive number, never NaN.
        var tiny = Enumerable.Repeat(new[] { double.NegativeInfinity, -800.0, -708.0, -1e6 }, 4).SelectMany(v => v).ToArray();
        ReproducibleMath.ExpNonPositive(tiny);
        Assert.All(tiny, value => Assert.True(value > 0 && value < 1e-300));
    }

    [Fact]
    public void SumsAndDotProductsAreExactOnIntegers()
    {
        var x = Enumerable.Range(1, 1027).Select(i => (double)i).ToArray();
        Assert.Equal(1027 * 1028 / 2.0, ReproducibleMath.Sum(x));
        Assert.Equal(1027.0 * 1028 * 2055 / 6, ReproducibleMath.Dot(x, x));
        Assert.Equal(0.0, ReproducibleMath.Sum([]));
    }
}
