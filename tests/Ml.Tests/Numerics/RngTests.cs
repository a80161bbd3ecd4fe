using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Numerics;

public class RngTests
{
    [Fact]
    public void SameSeedGivesSameSequence()
    {
        var a = new Rng(7);
        var b = new Rng(7);
        for (var i = 0; i < 100; i++)
        {
            Assert.Equal(a.NextUInt64(), b.NextUInt64());
        }
    }

    [Fact]
    public void DerivedStreamsDifferByPathAndAreStable()
    {
        Assert.NotEqual(Rng.Derive(1, 2, 0).NextUInt64(), Rng.Derive(1, 2, 1).NextUInt64());
        Assert.NotEqual(Rng.Derive(1, 2, 0).NextUInt64(), Rng.Derive(1, 3, 0).NextUInt64());
        Assert.Equal(Rng.Derive(1, 2, 5).NextUInt64(), Rng.Derive(1, 2, 5).NextUInt64());
    }

    [Fact]
    public void NextIntIsInRangeAndRoughlyUniform()
    {
        var rng = new Rng(3);
        var counts = new int[7];
        for (var i = 0; i < 70_000; i++)
        {
            counts[rng.NextInt(7)]++;
        }
        Assert.All(counts, c => Assert.InRange(c, 9_500, 10_500));
    }

    [Theory]
    [InlineData(100, 5)]
    [InlineData(100, 90)]
    [InlineData(10, 10)]
    public void SampleWithoutReplacementIsDistinctSortedAndInRange(int n, int count)
    {
        var sample = new Rng(11).SampleWithoutReplacement(n, count);
        Assert.Equal(count, sample.Length);
        Assert.Equal(sample.Distinct().Order(), sample);
        Assert.All(sample, i => Assert.InRange(i, 0, n - 1));
    }

    [Fact]
    public void SampleUpToTakesEveryRowWithoutDrawingWhenThereAreNoMore()
    {
        Assert.Equal(new Rng(11).SampleWithoutReplacement(100, 5), new Rng(11).SampleUpTo(100, 5));
        var rng = new Rng(11);
        Assert.Equal(Enumerable.Range(0, 7), rng.SampleUpTo(7, 10));
        Assert.Equal(new Rng(11).NextUInt64(), rng.NextUInt64());
    }
}
