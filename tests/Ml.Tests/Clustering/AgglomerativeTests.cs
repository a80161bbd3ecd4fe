using System.Text.Json;
using Distributed.Ml.Clustering;
using Distributed.Ml.Metrics;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Clustering;

/// <summary>Reference partitions come from scikit-learn via tests/fixtures/make_clustering_fixture.py.</summary>
public class AgglomerativeTests
{
    private static readonly JsonElement s_reference = JsonDocument.Parse(File.ReadAllText(TestData.Fixture("clustering_reference.json"))).RootElement.GetProperty("agglomerative");

    // Five 1-d rows 0, 1, 5, 7, 20. By hand, each linkage merges {0,1} then {5,7}, then those two,
    // then 20 (the merge order is checked through the cuts at k = 5..1, the distances here):
    //   Ward √(2|A||B|/(|A|+|B|))·|c_A − c_B|: 1; 2; √(2·2·2/4)·|0.5 − 6| = √60.5; √(2·4·1/5)·|3.25 − 20| = √448.9
    //   average: 1; 2; mean(5, 7, 4, 6) = 5.5; mean(20, 19, 15, 13) = 16.75
    //   complete: 1; 2; 7; 20
    private static readonly Matrix s_hand = new(5, 1, [0f, 1f, 5f, 7f, 20f]);

    [Fact]
    public void WardMergesTheHandCaseAtTheComputedDistances()
    {
        var merges = WardChain.Run(s_hand).OrderBy(m => m.Distance).ToArray();
        Assert.Equal(new[] { 1, 2, Math.Sqrt(60.5), Math.Sqrt(448.9) }, merges.Select(m => m.Distance), new ToleranceComparer(1e-12));
    }

    [Fact]
    public void WardParallelScanGivesTheSequentialMerges()
    {
        // 9,000 rows: three 4,096-row blocks while most clusters are active.
        var (data, _) = TestData.Blobs(1800, 5, 3, seed: 21, separation: 3);
        var parallel = WardChain.Run(data, parallelThreshold: 0);
        var sequential = WardChain.Run(data, parallelThreshold: int.MaxValue);
        Assert.Equal(sequential, parallel);
    }

    [Theory]
    [InlineData(Linkage.Average, 5.5, 16.75)]
    [InlineData(Linkage.Complete, 7.0, 20.0)]
    public void MatrixLinkagesMergeTheHandCaseAtTheComputedDistances(Linkage linkage, double third, double fourth)
    {
        var merges = MatrixChain.Run(s_hand, linkage).OrderBy(m => m.Distance).ToArray();
        Assert.Equal(new[] { 1, 2, third, fourth }, merges.Select(m => m.Distance), new ToleranceComparer(1e-6));
    }

    [Theory]
    [InlineData(Linkage.Ward)]
    [InlineData(Linkage.Average)]
    [InlineData(Linkage.Complete)]
    public void CutsNumberClustersByFirstRow(Linkage linkage)
    {
        Assert.Equal(new[] { 0, 0, 0, 0, 1 }, Fit(s_hand, 2, linkage).Labels);
        Assert.Equal(new[] { 0, 0, 1, 1, 2 }, Fit(s_hand, 3, linkage).Labels);
        Assert.Equal(new[] { 0, 0, 1, 2, 3 }, Fit(s_hand, 4, linkage).Labels);
        Assert.Equal(new[] { 0, 1, 2, 3, 4 }, Fit(s_hand, 5, linkage).Labels);
        Assert.Equal(new[] { 0, 0, 0, 0, 0 }, Fit(s_hand, 1, linkage).Labels);
    }

    [Theory]
    [InlineData(Linkage.Ward, "ward")]
    [InlineData(Linkage.Average, "average")]
    [InlineData(Linkage.Complete, "complete")]
    public void PartitionEqualsScikitLearn(Linkage linkage, string name)
    {
        var rows = s_reference.GetProperty("X").EnumerateArray().Select(r => r.EnumerateArray().Select(v => (float)v.GetDouble()).ToArray()).ToArray();
        var data = new Matrix(rows.Length, rows[0].Length, rows.SelectMany(r => r).ToArray());
        var expected = s_reference.GetProperty(name).GetProperty("labels").EnumerateArray().Select(e => e.GetInt32()).ToArray();
        var result = Fit(data, s_reference.GetProperty("n_clusters").GetInt32(), linkage);
        Assert.Equal(1.0, AdjustedRandIndex.Score(expected, result.Labels));
        Assert.Equal(data.Rows, result.Model.TreeRows);
    }

    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    public void AboveTheExactLimitFitsASampleAndAssignsTheRestToCentroids(ulong seed)
    {
        var (data, truth) = TestData.Blobs(100, 4, 3, seed);
        var options = new AgglomerativeOptions { Clusters = 4, MaxExactRows = 120, Seed = seed };
        var result = Agglomerative.Fit(data, options);
        Assert.Equal(120, result.Model.TreeRows);
        Assert.Equal(1.0, AdjustedRandIndex.Score(truth, result.Labels));
        Assert.Equal(result.Labels, result.Model.Predict(data));

        var again = Agglomerative.Fit(data, options);
        Assert.Equal(result.Labels, again.Labels);
        Assert.Equal(result.Model.Centroids, again.Model.Centroids);
    }

    [Fact]
    public void SaveLoadRoundTripKeepsCentroidsAndLinkage()
    {
        var (data, _) = TestData.Blobs(50, 3, 4, seed: 5, separation: 4);
        var model = Fit(data, 3, Linkage.Average).Model;
        using var stream = new MemoryStream();
        model.Save(stream);
        stream.Position = 0;
        var loaded = AgglomerativeModel.Load(stream);
        Assert.Equal(model.Centroids, loaded.Centroids);
        Assert.Equal((model.ClusterCount, model.Dimension, model.Linkage, model.TreeRows), (loaded.ClusterCount, loaded.Dimension, loaded.Linkage, loaded.TreeRows));
        Assert.Equal(model.Predict(data), loaded.Predict(data));
    }

    [Fact]
    public void SameInputGivesIdenticalResult()
    {
        var (data, _) = TestData.Blobs(80, 5, 4, seed: 9, separation: 3);
        foreach (var linkage in Enum.GetValues<Linkage>())
        {
            Assert.Equal(Fit(data, 5, linkage).Labels, Fit(data, 5, linkage).Labels);
        }
    }

    private static AgglomerativeResult Fit(Matrix data, int clusters, Linkage linkage) =>
        Agglomerative.Fit(data, new AgglomerativeOptions { Clusters = clusters, Linkage = linkage });

    private sealed class ToleranceComparer(double tolerance) : IEqualityComparer<double>
    {
        public bool Equals(double x, double y) => Math.Abs(x - y) <= tolerance * Math.Max(1, Math.Abs(x));

        public int GetHashCode(double obj) => 0;
    }
}
