using System.Numerics.Tensors;
using Distributed.Ml.Forest;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Forest;

/// <summary>Block-wise, packed prediction against the plain per-row, per-tree walk.</summary>
public class FastPredictTests
{
    public static TheoryData<string> Forests => ["grown", "shallow", "constant"];

    [Theory]
    [MemberData(nameof(Forests))]
    public void ProbabilitiesAreBitIdenticalToThePerRowWalk(string name)
    {
        var (forest, rows) = Forest(name);
        var expected = ReferenceProbabilities(forest, rows);
        Assert.Equal(expected.Data, forest.PredictProba(rows).Data);
        var single = new float[forest.Classes.Length];
        for (var i = 0; i < rows.Rows; i += 37)
        {
            forest.PredictProba(rows.Row(i), single);
            Assert.Equal(expected.Row(i).ToArray(), single);
        }
    }

    [Theory]
    [MemberData(nameof(Forests))]
    public void LabelsAreTheArgMaxOfThePerRowWalk(string name)
    {
        var (forest, rows) = Forest(name);
        var expected = forest.ArgMax(ReferenceProbabilities(forest, rows));
        Assert.Equal(expected, forest.Predict(rows));
        for (var i = 0; i < rows.Rows; i += 53)
        {
            Assert.Equal(expected[i], forest.Predict(rows.SelectRows([i]))[0]);
        }
        Assert.Equal(expected[..5], forest.Predict(rows.SelectRows([0, 1, 2, 3, 4])));
    }

    [Fact]
    public void PredictingOneRowAllocatesOnlyTheLabels()
    {
        var (forest, rows) = Forest("grown");
        var one = rows.SelectRows([7]);
        forest.Predict(one);
        var before = GC.GetAllocatedBytesForCurrentThread();
        forest.Predict(one);
        // An int[1]: header, length and one value, padded.
        Assert.True(GC.GetAllocatedBytesForCurrentThread() - before <= 32, "more than the result was allocated");
    }

    /// <summary>The original prediction: every tree's leaf for one row, summed in tree order, then scaled.</summary>
    private static Matrix ReferenceProbabilities(RandomForestModel forest, Matrix rows)
    {
        var classes = forest.Classes.Length;
        var result = new Matrix(rows.Rows, classes);
        for (var i = 0; i < rows.Rows; i++)
        {
            var probabilities = result.Row(i);
            foreach (var tree in forest.Trees)
            {
                TensorPrimitives.Add(probabilities, tree.LeafValues.AsSpan(tree.LeafOffset(rows.Row(i)), classes), probabilities);
            }
            TensorPrimitives.Multiply(probabilities, 1f / forest.Trees.Length, probabilities);
        }
        return result;
    }

    private static (RandomForestModel Forest, Matrix Rows) Forest(string name)
    {
        // 1,300 test rows: several blocks (the parallel path) and a remainder of rows not a multiple of 4.
        var (data, labels) = TestData.Blobs(400, 5, 7, seed: 31, separation: 1.5);
        var (test, _) = TestData.Blobs(260, 5, 7, seed: 32, separation: 1.5);
        test.Row(3)[2] = float.NaN;
        // 25 trees: a lone row descends three groups of eight trees together and the last tree alone.
        var options = new RandomForestOptions { Trees = 25, Seed = 9, OutOfBagScore = false };
        return name switch
        {
            // Fully grown: (nearly) every leaf is pure.
            "grown" => (RandomForest.Fit(data, labels, options), test),
            // Stopped early: leaves hold mixed distributions.
            "shallow" => (RandomForest.Fit(data, labels, options with { MaxDepth = 4, MinSamplesLeaf = 9 }), test),
            // One class: every tree is a lone leaf.
            "constant" => (RandomForest.Fit(data, new int[labels.Length], options), test),
            _ => throw new ArgumentException(name, nameof(name)),
        };
    }
}
