using Distributed.Ml.Clustering;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Clustering;

/// <summary>
/// <see cref="KMeansShardAssigner"/>: plain Lloyd's labels, and sums with the same bits whatever
/// the assigner saw before, in columns whose additions are exact in double (moved by the rows that
/// changed) and in columns where they may round (summed again).
/// </summary>
public class KMeansShardAssignerTests
{
    [Fact]
    public void TheStatisticsAreThePlainLloydOnesWhateverTheAssignerSawBefore()
    {
        // 4,800 rows: three blocks of sums (the last one short), so an iteration may move labels in one block and keep another's.
        var data = TestData.Blobs(800, 6, 8, seed: 2, separation: 2).Data;
        Assert.All(KMeansShardAssigner.InexactColumns(data), Assert.Empty);
        AssertSameBitsAsAFreshAssignerEachIteration(data);
    }

    [Fact]
    public void ColumnsWhoseSumsMayRoundAreSummedAgainToTheSameBits()
    {
        // Column 2 gets a tiny value every seventh row: 100 + 1e-7 needs more than double's 53 bits,
        // so the order of the additions shows in that column's sums, and only there.
        var data = TestData.Blobs(800, 6, 8, seed: 2, separation: 2).Data;
        for (var i = 0; i < data.Rows; i += 7)
        {
            data.Row(i)[2] = 1e-7f * (1 + i % 5);
        }
        Assert.All(KMeansShardAssigner.InexactColumns(data), columns => Assert.Equal([2], columns));
        AssertSameBitsAsAFreshAssignerEachIteration(data);
    }

    [Fact]
    public void AColumnIsExactWhileItsMagnitudesSumBelowTwoToThe53UlpsOfItsFinestValue()
    {
        // Column 0: small integers. Column 1: 2⁻²³ (ulp 2⁻⁴⁶) with 100 ones, S ≈ 100 < 2⁵³·2⁻⁴⁶ = 128.
        // Column 2: the same with 200 ones, S ≈ 200 ≥ 128. Column 3: zeros only. Columns 4 and 5:
        // a NaN, an infinity. Column 6: a subnormal beside a one.
        var rows = 300;
        var data = new Matrix(rows, 7);
        for (var i = 0; i < rows; i++)
        {
            var row = data.Row(i);
            row[0] = i % 9 - 4;
            row[1] = i == 0 ? MathF.ScaleB(1, -23) : i <= 100 ? 1 : 0;
            row[2] = i == 0 ? MathF.ScaleB(1, -23) : i <= 200 ? -1 : 0;
            row[4] = i == 5 ? float.NaN : 1;
            row[5] = i == 5 ? float.PositiveInfinity : 1;
            row[6] = i == 0 ? float.Epsilon : i == 1 ? 1 : 0;
        }
        Assert.Equal([[2, 4, 5, 6]], KMeansShardAssigner.InexactColumns(data));

        // Blocks are judged apart: the rows above then zeros, and a second block of the same rows
        // without the first (its tiny values), the second row taking its place.
        var twoBlocks = new Matrix(NearestCentre.BlockRows + rows, 7);
        for (var i = 0; i < rows; i++)
        {
            data.Row(i).CopyTo(twoBlocks.Row(i));
            data.Row(i == 0 ? 1 : i).CopyTo(twoBlocks.Row(NearestCentre.BlockRows + i));
        }
        var blocks = KMeansShardAssigner.InexactColumns(twoBlocks);
        Assert.Equal(2, blocks.Length);
        Assert.Equal([2, 4, 5, 6], blocks[0]);
        Assert.Equal([4, 5], blocks[1]);
    }

    /// <summary>
    /// Twelve iterations of Lloyd's from six rows: each one's statistics from the one assigner that
    /// followed them all equal a fresh assigner's to the bit, and the labels plain Lloyd's.
    /// </summary>
    private static void AssertSameBitsAsAFreshAssignerEachIteration(Matrix data)
    {
        var assigner = new KMeansShardAssigner(data);
        var centres = data.SelectRows([0, 50, 100, 150, 200, 250]).Data;
        var changedIterations = 0;
        var previousCounts = new long[6];
        for (var iteration = 0; iteration < 12; iteration++)
        {
            var labels = new int[data.Rows];
            var distances = new float[data.Rows];
            NearestCentre.Assign(data, centres, 6, labels, distances);
            var plain = KMeansStatistics.Compute(data, 6, labels, distances);
            var pruned = assigner.Statistics(centres, 6, inertia: false);
            var full = new KMeansShardAssigner(data).Statistics(centres, 6, inertia: true);
            // The labels are plain Lloyd's: the same counts, the same sums up to the order of additions, and the same bits as a fresh assigner's.
            Assert.Equal(plain.Counts, pruned.Counts);
            Assert.Equal(plain.Sums.Length, pruned.Sums.Length);
            Assert.All(plain.Sums.Zip(pruned.Sums), p => Assert.Equal(p.First, p.Second, 1e-9 * Math.Max(1, Math.Abs(p.First))));
            Assert.Equal(full.Sums, pruned.Sums);
            Assert.Equal(full.Counts, pruned.Counts);
            Assert.Equal(0, pruned.Inertia);
            Assert.Equal(plain.Inertia, full.Inertia, 1e-9 * plain.Inertia);
            changedIterations += iteration > 0 && !previousCounts.SequenceEqual(pruned.Counts) ? 1 : 0;
            previousCounts = pruned.Counts;
            centres = (float[])centres.Clone();
            plain.WriteMeans(centres);
        }
        // Labels moved after the first iteration, so the kept and moved blocks were both exercised.
        Assert.True(changedIterations >= 2, $"{changedIterations} iterations moved labels");
    }
}
