using Distributed.Ml.Numerics;
using Distributed.Ml.Rebalancing;

namespace Distributed.Ml.Tests.Rebalancing;

public class TomekLinksTests
{
    [Fact]
    public void HandMadeLineHasTwoLinks()
    {
        // 0↔1 are mutual nearest and differ: a link. 5↔5.5 are mutual but agree. 10↔12.5 differ: a link.
        var data = new Matrix(6, 1, [0f, 1f, 5f, 5.5f, 10f, 12.5f]);
        int[] labels = [0, 1, 0, 0, 1, 0];
        Assert.Equal(new[] { true, true, false, false, true, true }, TomekLinks.Find(data, labels, 1));
        var kept = TomekLinks.Remove(data, labels, 1);
        Assert.Equal(new[] { 5f, 5.5f }, kept.Data.Data);
        Assert.Equal(new[] { 0, 0 }, kept.Labels);
    }

    [Fact]
    public void NearestButNotMutualIsNoLink()
    {
        // 1's nearest is 0 (other class), but 0's nearest is −0.5 (its own class).
        var data = new Matrix(3, 1, [-0.5f, 0f, 0.9f]);
        Assert.Equal(new[] { false, false, false }, TomekLinks.Find(data, [0, 0, 1], 1));
    }

    [Fact]
    public void KeepsExactlyTheRowsImblearnKeepsOnTheSameInput()
    {
        var section = ResamplingFixture.Smote;
        var data = ResamplingFixture.Matrix(section, "smote_X");
        var labels = ResamplingFixture.Ints(section, "smote_y");
        var linked = TomekLinks.Find(data, labels, 1);
        var kept = Enumerable.Range(0, linked.Length).Where(i => !linked[i]).ToArray();
        Assert.Equal(ResamplingFixture.Ints(section, "tomek_kept"), kept);
        Assert.Equal(ResamplingFixture.Counts(section.GetProperty("tomek_counts")), TomekLinks.Remove(data, labels, 1).ClassCounts());
    }
}
