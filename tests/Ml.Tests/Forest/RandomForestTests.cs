using Distributed.Ml.Forest;
using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Tests.Forest;

public class RandomForestTests
{
    [Fact]
    public void SingleTreeWithoutBootstrapSeparatesAThresholdExactly()
    {
        var data = new Matrix(6, 1, [1f, 2f, 3f, 10f, 11f, 12f]);
        int[] labels = [4, 4, 4, 9, 9, 9];
        var forest = RandomForest.Fit(data, labels, new RandomForestOptions { Trees = 1, Bootstrap = false, OutOfBagScore = false });
        var tree = forest.Trees[0];
        Assert.Equal(3, tree.NodeCount);
        Assert.Equal(0, tree.Feature[0]);
        Assert.InRange(tree.Threshold[0], 3f, 10f);
        Assert.Equal(new[] { 4, 9 }, forest.Predict(new Matrix(2, 1, [2.5f, 11.5f])));
    }

    [Fact]
    public void LearnsXorWhichNoSingleSplitCan()
    {
        var rng = new Rng(3);
        var data = new Matrix(800, 2);
        var labels = new int[800];
        for (var i = 0; i < 800; i++)
        {
            data.Row(i)[0] = rng.NextSingle();
            data.Row(i)[1] = rng.NextSingle();
            labels[i] = (data.Row(i)[0] > 0.5f) ^ (data.Row(i)[1] > 0.5f) ? 1 : 0;
        }
        var forest = RandomForest.Fit(data, labels, new RandomForestOptions { Trees = 20, MaxFeatures = 2 });
        var test = new Matrix(4, 2, [0.2f, 0.2f, 0.8f, 0.2f, 0.2f, 0.8f, 0.8f, 0.8f]);
        Assert.Equal(new[] { 0, 1, 1, 0 }, forest.Predict(test));
        Assert.True(forest.OutOfBagScore > 0.95, $"OOB {forest.OutOfBagScore}");
    }

    [Fact]
    public void ClassifiesBlobsAndReportsImportances()
    {
        var (data, labels) = TestData.Blobs(200, 4, 6, seed: 12, separation: 5);
        var forest = RandomForest.Fit(data, labels, new RandomForestOptions { Trees = 30, Seed = 2 });
        var predicted = forest.Predict(data);
        Assert.True(predicted.Zip(labels).Count(p => p.First == p.Second) >= 0.99 * labels.Length);
        Assert.Equal(1.0, forest.FeatureImportances.Sum(), 6);
        // Blob b is offset along feature b % 6 for b < 4: features 4 and 5 carry nothing.
        Assert.True(forest.FeatureImportances[0] > forest.FeatureImportances[5]);
        var probabilities = forest.PredictProba(data);
        for (var i = 0; i < data.Rows; i++)
        {
            Assert.Equal(1.0, probabilities.Row(i).ToArray().Sum(), 4);
        }
    }

    [Fact]
    public void GroupsMergedGiveTheSameForestAsOneTraining()
    {
        var (data, labels) = TestData.Blobs(100, 3, 5, seed: 6, separation: 2);
        var options = new RandomForestOptions { Trees = 9, Seed = 77, OutOfBagScore = false };
        var whole = RandomForest.Fit(data, labels, options);
        var set = RandomForest.Prepare(data, labels, options);
        var groups = new[] { RandomForest.GrowTrees(set, options, 5, 4), RandomForest.GrowTrees(set, options, 0, 3), RandomForest.GrowTrees(set, options, 3, 2) };
        var merged = RandomForest.Merge(set.Classes, set.Features, groups);
        Assert.Equal(Serialise(whole), Serialise(merged));
    }

    [Fact]
    public void MergeRejectsAGap()
    {
        var (data, labels) = TestData.Blobs(30, 2, 3, seed: 6);
        var options = new RandomForestOptions { Trees = 4 };
        var set = RandomForest.Prepare(data, labels, options);
        Assert.Throws<ArgumentException>(() => RandomForest.Merge(set.Classes, set.Features, [RandomForest.GrowTrees(set, options, 0, 1), RandomForest.GrowTrees(set, options, 2, 1)]));
    }

    [Fact]
    public void SameSeedGivesIdenticalBytes()
    {
        var (data, labels) = TestData.Blobs(100, 3, 5, seed: 6, separation: 2);
        var options = new RandomForestOptions { Trees = 10, Seed = 3 };
        Assert.Equal(Serialise(RandomForest.Fit(data, labels, options)), Serialise(RandomForest.Fit(data, labels, options)));
        Assert.NotEqual(Serialise(RandomForest.Fit(data, labels, options)), Serialise(RandomForest.Fit(data, labels, options with { Seed = 4 })));
    }

    [Fact]
    public void SaveAndLoadPredictTheSame()
    {
        var (data, labels) = TestData.Blobs(100, 3, 5, seed: 6, separation: 2);
        var forest = RandomForest.Fit(data, labels.Select(l => l * 10 + 1).ToArray(), new RandomForestOptions { Trees = 10 });
        var loaded = RandomForestModel.Load(new MemoryStream(Serialise(forest)));
        Assert.Equal(forest.Classes, loaded.Classes);
        Assert.Equal(forest.PredictProba(data).Data, loaded.PredictProba(data).Data);
    }

    [Fact]
    public void LoadRejectsCorruptedTrees()
    {
        var (data, labels) = TestData.Blobs(50, 2, 3, seed: 6);
        var bytes = Serialise(RandomForest.Fit(data, labels, new RandomForestOptions { Trees = 2 }));
        Assert.Throws<ModelFormatException>(() => RandomForestModel.Load(new MemoryStream(bytes[..^10])));
        var kindTampered = (byte[])bytes.Clone();
        kindTampered[6] ^= 0x20;
        Assert.Throws<ModelFormatException>(() => RandomForestModel.Load(new MemoryStream(kindTampered)));
    }

    [Fact]
    public void BinEdgesSeparateDistinctValuesAndQuantiles()
    {
        var few = FeatureBins.Fit(new Matrix(4, 1, [1f, 1f, 2f, 3f]), 255, 1000, new Rng(1));
        Assert.Equal(new[] { 1.5f, 2.5f }, few.Edges[0]);
        var many = new Matrix(1000, 1, Enumerable.Range(0, 1000).Select(i => (float)i).ToArray());
        var bins = FeatureBins.Fit(many, 4, 1000, new Rng(1));
        Assert.Equal(new[] { 249.5f, 499.5f, 749.5f }, bins.Edges[0]);
        var binned = bins.Bin(many)[0];
        Assert.Equal(0, binned[249]);
        Assert.Equal(1, binned[250]);
        Assert.Equal(3, binned[999]);
    }

    private static byte[] Serialise(RandomForestModel model)
    {
        var stream = new MemoryStream();
        model.Save(stream);
        return stream.ToArray();
    }
}
