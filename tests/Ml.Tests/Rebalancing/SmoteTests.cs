using Distributed.Ml.Neighbors;
using Distributed.Ml.Numerics;
using Distributed.Ml.Rebalancing;

namespace Distributed.Ml.Tests.Rebalancing;

public class SmoteTests
{
    [Fact]
    public void BringsEveryClassToTheLargestAsImblearnDoes()
    {
        var section = ResamplingFixture.Smote;
        var data = ResamplingFixture.Matrix(section, "X");
        var labels = ResamplingFixture.Ints(section, "y");
        var result = Smote.Resample(data, labels, new SmoteOptions { Seed = 3 });
        Assert.Equal(ResamplingFixture.Counts(section.GetProperty("counts_before")), LabelledRows.CountClasses(labels));
        Assert.Equal(ResamplingFixture.Counts(section.GetProperty("counts_after_smote")), result.ClassCounts());
        // Originals first, unchanged and in order.
        Assert.Equal(data.Data, result.Data.Data.AsSpan(0, data.Data.Length).ToArray());
        Assert.Equal(labels, result.Labels.AsSpan(0, labels.Length).ToArray());
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void SyntheticRowsLieOnSegmentsToOneOfTheKNearestSameClassRows(ulong seed)
    {
        var section = ResamplingFixture.Smote;
        var data = ResamplingFixture.Matrix(section, "X");
        var labels = ResamplingFixture.Ints(section, "y");
        const int k = 5;
        var result = Smote.Resample(data, labels, new SmoteOptions { Neighbors = k, Seed = seed });
        var members = Enumerable.Range(0, 3).Select(c => Enumerable.Range(0, labels.Length).Where(i => labels[i] == c).ToArray()).ToArray();
        var graphs = members.Select(m => ExactNeighbors.Build(data.SelectRows(m), k)).ToArray();
        for (var s = data.Rows; s < result.Data.Rows; s++)
        {
            var c = result.Labels[s];
            Assert.True(OnSomeSegment(data.SelectRows(members[c]), graphs[c], result.Data.Row(s)), $"seed {seed}: synthetic row {s} (class {c}) lies on no segment to a same-class neighbour");
        }
    }

    [Fact]
    public void ASingleRowClassIsCopiedAndASmallClassUsesAllItsRows()
    {
        var data = new Matrix(7, 1, [0f, 1f, 2f, 3f, 4f, 10f, 20f]);
        int[] labels = [0, 0, 0, 0, 0, 1, 2];
        var result = Smote.Resample(data, labels, new SmoteOptions());
        Assert.Equal(15, result.Data.Rows);
        for (var s = 7; s < 15; s++)
        {
            Assert.Equal(result.Labels[s] == 1 ? 10f : 20f, result.Data.Row(s)[0]);
        }
        var pair = Smote.Resample(new Matrix(5, 1, [0f, 1f, 2f, 10f, 12f]), [0, 0, 0, 1, 1], new SmoteOptions());
        Assert.Equal(6, pair.Data.Rows);
        Assert.InRange(pair.Data.Row(5)[0], 10f, 12f);
    }

    [Fact]
    public void SameSeedGivesIdenticalRowsAndAnotherSeedOthers()
    {
        var (data, labels) = Imbalanced(seed: 4);
        var first = Smote.Resample(data, labels, new SmoteOptions { Seed = 9 });
        var second = Smote.Resample(data, labels, new SmoteOptions { Seed = 9 });
        var other = Smote.Resample(data, labels, new SmoteOptions { Seed = 10 });
        Assert.Equal(first.Data.Data, second.Data.Data);
        Assert.Equal(first.Labels, second.Labels);
        Assert.NotEqual(first.Data.Data, other.Data.Data);
    }

    [Fact]
    public void LargeClassesUseTheApproximateSearchAndStillBalance()
    {
        var (data, labels) = TestData.Blobs(2500, 4, 6, 8);
        // Classes of 5,000 (two blobs merged), 2,500 and 200 rows: the first two are searched with NN-descent.
        var keep = Enumerable.Range(0, labels.Length).Where(i => labels[i] != 3 || i % 2500 < 200).ToArray();
        var subset = data.SelectRows(keep);
        var subsetLabels = keep.Select(i => labels[i] == 1 ? 0 : labels[i]).ToArray();
        var result = Smote.Resample(subset, subsetLabels, new SmoteOptions());
        Assert.Equal(3, result.ClassCounts().Count);
        Assert.All(result.ClassCounts().Values, count => Assert.Equal(5000, count));
    }

    internal static (Matrix Data, int[] Labels) Imbalanced(ulong seed)
    {
        var (data, labels) = TestData.Blobs(100, 3, 4, seed, separation: 3);
        var keep = Enumerable.Range(0, labels.Length).Where(i => labels[i] == 0 || (labels[i] == 1 && i % 100 < 40) || (labels[i] == 2 && i % 100 < 12)).ToArray();
        return (data.SelectRows(keep), keep.Select(i => labels[i]).ToArray());
    }

    private static bool OnSomeSegment(Matrix members, KnnGraph graph, ReadOnlySpan<float> point)
    {
        for (var i = 0; i < members.Rows; i++)
        {
            foreach (var j in graph.IndicesOf(i))
            {
                if (OnSegment(members.Row(i), members.Row(j), point))
                {
                    return true;
                }
            }
        }
        return false;
    }

    /// <summary>Whether point = a + u·(b − a) for one u in [0, 1], within float rounding.</summary>
    private static bool OnSegment(ReadOnlySpan<float> a, ReadOnlySpan<float> b, ReadOnlySpan<float> point)
    {
        double dot = 0, length = 0;
        for (var d = 0; d < a.Length; d++)
        {
            dot += (point[d] - a[d]) * (double)(b[d] - a[d]);
            length += (b[d] - a[d]) * (double)(b[d] - a[d]);
        }
        var u = length == 0 ? 0 : dot / length;
        if (u is < -1e-6 or > 1 + 1e-6)
        {
            return false;
        }
        for (var d = 0; d < a.Length; d++)
        {
            if (Math.Abs(a[d] + u * (b[d] - a[d]) - point[d]) > 1e-4)
            {
                return false;
            }
        }
        return true;
    }
}
