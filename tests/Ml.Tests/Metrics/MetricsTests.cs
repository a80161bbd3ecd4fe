using Distributed.Ml.Metrics;

namespace Distributed.Ml.Tests.Metrics;

/// <summary>Reference values come from scikit-learn via tests/fixtures/make_fixtures.py.</summary>
public class MetricsTests
{
    [Fact]
    public void AdjustedRandIndexAgreesWithScikitLearn()
    {
        Assert.Equal(TestData.Number("ari"), AdjustedRandIndex.Score(TestData.Ints("truth"), TestData.Ints("pred")), 12);
        Assert.Equal(1.0, AdjustedRandIndex.Score([0, 0, 1, 1], [5, 5, 3, 3]));
    }

    [Fact]
    public void NormalizedMutualInformationAgreesWithScikitLearn()
    {
        Assert.Equal(TestData.Number("nmi"), NormalizedMutualInformation.Score(TestData.Ints("truth"), TestData.Ints("pred")), 12);
        Assert.Equal(1.0, NormalizedMutualInformation.Score([0, 0, 1, 1], [1, 1, 0, 0]), 12);
    }

    [Fact]
    public void AccuracyUsesTheBestOneToOneMatching()
    {
        // Clusters 1→0, 0→1, 2→2 (cluster 3 left unmatched): 3 + 2 + 2 of 10 correct, though a greedy
        // per-cluster majority would claim cluster 3 too.
        Assert.Equal(0.7, ClusteringAccuracy.Score(TestData.Ints("truth"), TestData.Ints("pred")), 12);
        Assert.Equal(1.0, ClusteringAccuracy.Score([0, 0, 1, 2], [2, 2, 0, 1]));
    }

    [Fact]
    public void HungarianFindsTheMinimumCostAssignment()
    {
        var cost = new double[,] { { 4, 1, 3 }, { 2, 0, 5 }, { 3, 2, 2 } };
        Assert.Equal(new[] { 1, 0, 2 }, Hungarian.Solve(cost));
        Assert.Equal(new[] { 2, 0 }, Hungarian.Solve(new double[,] { { 5, 9, 1 }, { 2, 8, 7 } }));
    }

    [Fact]
    public void InternalMetricsAgreeWithScikitLearn()
    {
        var x = TestData.ReferenceX();
        var labels = TestData.Ints("labels");
        Assert.Equal(TestData.Number("silhouette"), Silhouette.ScoreAll(x, labels), 4);
        Assert.Equal(TestData.Number("silhouette"), Silhouette.Score(x, labels, sampleSize: 1000, seed: 1), 4);
        Assert.Equal(TestData.Number("davies_bouldin"), DaviesBouldin.Score(x, labels), 4);
        Assert.Equal(TestData.Number("calinski_harabasz"), CalinskiHarabasz.Score(x, labels), 2);
    }

    [Fact]
    public void InternalMetricsIgnoreNoise()
    {
        var x = TestData.ReferenceX();
        var labels = TestData.Ints("labels");
        var withNoise = labels.Select((l, i) => i == 3 ? -1 : l).ToArray();
        var without = Enumerable.Range(0, labels.Length).Where(i => i != 3).ToArray();
        Assert.Equal(DaviesBouldin.Score(x.SelectRows(without), without.Select(i => labels[i]).ToArray()), DaviesBouldin.Score(x, withNoise), 9);
    }

    [Fact]
    public void ClassificationReportAgreesWithScikitLearn()
    {
        var report = ClassificationReport.Compute(TestData.Ints("truth"), TestData.Ints("f1_pred"));
        Assert.Equal(TestData.Number("f1_macro"), report.MacroF1, 12);
        Assert.Equal(0.7, report.Accuracy, 12);
        Assert.Equal(2, report.Confusion[0][0]);
        Assert.Equal(1, report.Confusion[0][1]);
    }
}
