using Distributed.Ml.Embedding;

namespace Distributed.Ml.Tests.Embedding;

public class UmapCurveTests
{
    [Fact]
    public void AgreesWithScipyCurveFit()
    {
        foreach (var entry in UmapFixture.Root.GetProperty("curve").EnumerateArray())
        {
            var minDist = entry.GetProperty("min_dist").GetDouble();
            var spread = entry.GetProperty("spread").GetDouble();
            var (a, b) = UmapCurve.Fit(minDist, spread);
            Assert.Equal(entry.GetProperty("a").GetDouble(), a, 4);
            Assert.Equal(entry.GetProperty("b").GetDouble(), b, 4);
        }
    }

    [Fact]
    public void DefaultsGiveUmapLearnsWellKnownValues()
    {
        var (a, b) = UmapCurve.Fit(0.1, 1.0);
        Assert.Equal(1.577, a, 3);
        Assert.Equal(0.895, b, 3);
    }
}
