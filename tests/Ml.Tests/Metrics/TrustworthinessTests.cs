using Distributed.Ml.Metrics;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Metrics;

public class TrustworthinessTests
{
    [Fact]
    public void AgreesWithScikitLearn()
    {
        var fixture = UmapFixture.Root.GetProperty("trustworthiness");
        var original = UmapFixture.Matrix(fixture.GetProperty("X"));
        var embedded = UmapFixture.Matrix(fixture.GetProperty("embedding"));
        Assert.Equal(fixture.GetProperty("t5").GetDouble(), Trustworthiness.Score(original, embedded), 6);
        Assert.Equal(fixture.GetProperty("t10").GetDouble(), Trustworthiness.Score(original, embedded, 10), 6);
    }

    [Fact]
    public void AnIsometryIsFullyTrustworthy()
    {
        var (data, _) = TestData.Blobs(20, 3, 4, seed: 2);
        var shifted = new Matrix(data.Rows, data.Cols, data.Data.Select(v => v + 3f).ToArray());
        Assert.Equal(1.0, Trustworthiness.Score(data, shifted, 5), 12);
    }

    [Fact]
    public void RejectsNeighbourhoodsOfHalfTheSet() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => Trustworthiness.Score(new Matrix(10, 2), new Matrix(10, 2), 5));
}
