using System.Text.Json;
using Distributed.Ml.Clustering;
using Distributed.Ml.Metrics;
using Distributed.Ml.Neighbors;
using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Tests.Clustering;

/// <summary>Reference labels come from scikit-learn via tests/fixtures/make_clustering_fixture.py.</summary>
public class DbscanTests
{
    private static readonly JsonElement s_reference = JsonDocument.Parse(File.ReadAllText(TestData.Fixture("clustering_reference.json"))).RootElement.GetProperty("dbscan");

    [Fact]
    public void TwoGroupsAndOutliersGetExactLabelsInDiscoveryOrder()
    {
        // 1-d, eps 0.15, min_samples 3: in each group of four the two inner rows are core (3 rows
        // within reach, themselves included) and the two outer rows border. The outlier comes first
        // and the right group before the left, so cluster 0 is the group whose core row comes first.
        var data = new Matrix(10, 1, [20f, 5.0f, 5.1f, 5.2f, 5.3f, 0f, 0.1f, 0.2f, 0.3f, 10f]);
        var result = Dbscan.Fit(data, new DbscanOptions { Eps = 0.15, MinSamples = 3 });
        Assert.Equal(new[] { -1, 0, 0, 0, 0, 1, 1, 1, 1, -1 }, result.Labels);
        Assert.Equal(2, result.Model.ClusterCount);
        Assert.Equal(new[] { 5.1f, 5.2f, 0.1f, 0.2f }, result.Model.CorePoints.Data);
        Assert.False(result.Model.EpsChosen);
    }

    [Fact]
    public void BorderRowWithinReachOfTwoClustersJoinsTheFirstNumbered()
    {
        // eps 1.5, min_samples 4. Core rows: (2.4, 0) of the right group (row 1: cluster 0) and
        // (0, 0) of the left (row 4: cluster 1); the rows 1.2 above and below them are border rows.
        // Row 6 at (1.1, 0) is a border row of both: only the two centres are within its reach
        // (3 rows with itself), 1.1 from the left one and 1.3 from the right one.
        // scikit-learn expands cluster 0 first, so row 6 joins it; predict takes the nearest core.
        var data = new Matrix(8, 2, [2.4f, 1.2f, 2.4f, 0f, 2.4f, -1.2f, 0f, 1.2f, 0f, 0f, 0f, -1.2f, 1.1f, 0f, 9f, 9f]);
        var result = Dbscan.Fit(data, new DbscanOptions { Eps = 1.5, MinSamples = 4 });
        Assert.Equal(new[] { 0, 0, 0, 1, 1, 1, 0, -1 }, result.Labels);
        Assert.Equal(new[] { 0, 0, 0, 1, 1, 1, 1, -1 }, result.Model.Predict(data));
    }

    [Theory]
    [InlineData(0)]
    [InlineData(1)]
    public void LabelsAndCoreRowsEqualScikitLearn(int index)
    {
        var data = ReferenceX();
        var reference = s_reference.GetProperty("cases")[index];
        var result = Dbscan.Fit(data, new DbscanOptions
        {
            Eps = reference.GetProperty("eps").GetDouble(),
            MinSamples = reference.GetProperty("min_samples").GetInt32(),
        });
        Assert.Equal(Ints(reference, "labels"), result.Labels);
        var core = Ints(reference, "core_sample_indices");
        Assert.Equal(data.SelectRows(core).Data, result.Model.CorePoints.Data);
        Assert.Equal(reference.GetProperty("n_clusters").GetInt32(), result.Model.ClusterCount);
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    [InlineData(3UL)]
    public void ChosenEpsSeparatesBlobs(ulong seed)
    {
        var (data, truth) = TestData.Blobs(150, 4, 3, seed);
        var result = Dbscan.Fit(data, new DbscanOptions());
        var model = result.Model;
        Assert.True(model.EpsChosen);
        Assert.True(model.Eps is > 0 and < 10, $"seed {seed}: eps {model.Eps}");
        Assert.Equal(4, model.ClusterCount);
        var kept = Enumerable.Range(0, data.Rows).Where(i => result.Labels[i] >= 0).ToArray();
        Assert.True(kept.Length >= 0.85 * data.Rows, $"seed {seed}: {data.Rows - kept.Length} noise rows");
        Assert.Equal(1.0, AdjustedRandIndex.Score(kept.Select(i => truth[i]).ToArray(), kept.Select(i => result.Labels[i]).ToArray()));
    }

    [Fact]
    public void KneeIsTheCurvePointFarthestBelowTheChord()
    {
        Assert.Equal(3, KDistanceKnee.KneeIndex([0f, 0.1f, 0.2f, 0.3f, 5f]));
        Assert.Equal(1, KDistanceKnee.KneeIndex([1f, 1f, 4f]));
        Assert.Equal(2, KDistanceKnee.KneeIndex([2f, 2f, 2f])); // flat: the last point
    }

    [Fact]
    public void KDistanceCurveCountsTheRowItself()
    {
        var data = new Matrix(4, 1, [0f, 1f, 3f, 6f]);
        var tree = new KdTree(data);
        // min_samples 2: distance to the nearest other row.
        Assert.Equal(new[] { 1f, 1f, 2f, 3f }, KDistanceKnee.Curve(tree, data, 2));
    }

    [Fact]
    public void SameInputGivesIdenticalResult()
    {
        var data = ReferenceX();
        var a = Dbscan.Fit(data, new DbscanOptions());
        var b = Dbscan.Fit(data, new DbscanOptions());
        Assert.Equal(a.Labels, b.Labels);
        Assert.Equal(a.Model.Eps, b.Model.Eps);
        Assert.Equal(a.Model.CorePoints.Data, b.Model.CorePoints.Data);
    }

    [Fact]
    public void SaveLoadRoundTripPredictsTheSame()
    {
        var data = ReferenceX();
        var model = Dbscan.Fit(data, new DbscanOptions { Eps = 0.3, MinSamples = 5 }).Model;
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        var loaded = DbscanModel.Load(stream);
        Assert.Equal((model.ClusterCount, model.Dimension, model.Eps, model.MinSamples, model.EpsChosen),
            (loaded.ClusterCount, loaded.Dimension, loaded.Eps, loaded.MinSamples, loaded.EpsChosen));
        Assert.Equal(model.CoreLabels, loaded.CoreLabels);
        Assert.Equal(model.Predict(data), loaded.Predict(data));

        stream.Position = 0;
        Assert.Throws<ModelFormatException>(() => KMeansModel.Load(stream));
    }

    [Fact]
    public void EveryRowNoiseGivesNoClusterAndPredictsNoise()
    {
        var data = new Matrix(3, 1, [0f, 10f, 20f]);
        var result = Dbscan.Fit(data, new DbscanOptions { Eps = 1, MinSamples = 2 });
        Assert.Equal(new[] { -1, -1, -1 }, result.Labels);
        Assert.Equal(0, result.Model.ClusterCount);
        Assert.Equal(new[] { -1, -1, -1 }, result.Model.Predict(data));
    }

    private static Matrix ReferenceX()
    {
        var rows = s_reference.GetProperty("X").EnumerateArray().Select(r => r.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray()).ToArray();
        return new Matrix(rows.Length, rows[0].Length, rows.SelectMany(r => r).ToArray());
    }

    private static int[] Ints(JsonElement element, string name) => element.GetProperty(name).EnumerateArray().Select(e => e.GetInt32()).ToArray();
}
