using Distributed.Ml.Numerics;
using Distributed.Ml.SemiSupervised;
using Distributed.Ml.Tests.Rebalancing;

namespace Distributed.Ml.Tests.SemiSupervised;

public class LabelSpreadingTests
{
    [Fact]
    public void MatchesScikitLearnsKnnLabelSpreading()
    {
        var section = ResamplingFixture.LabelSpreading;
        var data = ResamplingFixture.Matrix(section, "X");
        var known = ResamplingFixture.Ints(section, "known");
        var result = LabelSpreading.Fit(data, known, new LabelSpreadingOptions());
        Assert.Equal(ResamplingFixture.Ints(section, "transduction"), result.Labels);
        Assert.Equal(section.GetProperty("n_iter").GetInt32(), result.Iterations);
        Assert.True(result.Converged);
        var expected = ResamplingFixture.Doubles(section, "label_distributions");
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], result.Distributions.Data[i], 1e-5);
        }
    }

    [Fact]
    public void TwoChainsTakeTheirOneKnownLabel()
    {
        // Two far-apart chains of 10 points; one labelled point each.
        var data = new Matrix(20, 2);
        var labels = new int[20];
        Array.Fill(labels, LabelSpreading.Unknown);
        for (var i = 0; i < 10; i++)
        {
            data.Row(i)[0] = i;
            data.Row(10 + i)[0] = i;
            data.Row(10 + i)[1] = 100;
        }
        labels[0] = 7;
        labels[19] = 3;
        var result = LabelSpreading.Fit(data, labels, new LabelSpreadingOptions { Neighbors = 3, MaxIterations = 200, Tolerance = 1e-9 });
        Assert.Equal(Enumerable.Repeat(7, 10).Concat(Enumerable.Repeat(3, 10)), result.Labels);
        Assert.Equal(new[] { 3, 7 }, result.Classes);
    }

    [Fact]
    public void SameSeedGivesIdenticalLabelsOnTheApproximateGraph()
    {
        var (data, truth) = TestData.Blobs(1200, 4, 6, 2, separation: 4);
        var known = KnownLabels.Choose(truth, 0.05, 3);
        var first = LabelSpreading.Fit(data, known, new LabelSpreadingOptions { Seed = 8 });
        var second = LabelSpreading.Fit(data, known, new LabelSpreadingOptions { Seed = 8 });
        Assert.Equal(first.Labels, second.Labels);
        Assert.Equal(first.Distributions.Data, second.Distributions.Data);
        var correct = Enumerable.Range(0, truth.Length).Count(i => first.Labels[i] == truth[i]);
        Assert.True(correct > 0.97 * truth.Length, $"{correct} of {truth.Length} right");
    }

    [Fact]
    public void KnownLabelsKeepASeededShare()
    {
        var labels = Enumerable.Range(0, 1000).Select(i => i % 10).ToArray();
        var known = KnownLabels.Choose(labels, 0.1, 4);
        var kept = Enumerable.Range(0, 1000).Where(i => known[i] != LabelSpreading.Unknown).ToArray();
        Assert.Equal(100, kept.Length);
        Assert.All(kept, i => Assert.Equal(labels[i], known[i]));
        Assert.Equal(known, KnownLabels.Choose(labels, 0.1, 4));
        Assert.NotEqual(known, KnownLabels.Choose(labels, 0.1, 5));
        Assert.Throws<OptionsException>(() => KnownLabels.Choose(labels, 0, 4));
    }
}
