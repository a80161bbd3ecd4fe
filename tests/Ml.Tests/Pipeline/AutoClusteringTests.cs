using Distributed.Ml.Pipeline;

namespace Distributed.Ml.Tests.Pipeline;

/// <summary>The <c>--method auto</c> selection rule on hand-made candidate scores.</summary>
public class AutoClusteringTests
{
    [Fact]
    public void HighestSilhouetteAmongEligibleWins()
    {
        ClusteringCandidate[] candidates =
        [
            Candidate("kmeans", 0.50, 0.9),
            Candidate("gmm", 0.61, 0.8),
            Candidate("dbscan", 0.80, 0.3, noise: 0.10),
            Candidate("agglomerative", 0.55, 0.7),
        ];
        Assert.Equal(2, AutoClustering.Select(candidates));
    }

    [Fact]
    public void DbscanAboveTheNoiseCeilingIsSetAside()
    {
        var (eligible, reason) = AutoClustering.Eligibility(ClusteringMethod.Dbscan, 10, 0.31);
        Assert.False(eligible);
        Assert.Contains("noise fraction 0.310 is above 0.30", reason);
        Assert.True(AutoClustering.Eligibility(ClusteringMethod.Dbscan, 10, 0.30).Eligible);
        // Only DBSCAN has the ceiling; any method needs two clusters.
        Assert.True(AutoClustering.Eligibility(ClusteringMethod.Gmm, 10, 0.5).Eligible);
        Assert.False(AutoClustering.Eligibility(ClusteringMethod.KMeans, 1, 0).Eligible);

        ClusteringCandidate[] candidates =
        [
            Candidate("kmeans", 0.50, 0.9),
            Candidate("gmm", 0.61, 0.8),
            Candidate("dbscan", 0.80, 0.3, noise: 0.31),
            Candidate("agglomerative", 0.55, 0.7),
        ];
        Assert.Equal(1, AutoClustering.Select(candidates));
    }

    [Fact]
    public void SilhouetteTieGoesToLowerDaviesBouldinThenToCandidateOrder()
    {
        Assert.Equal(1, AutoClustering.Select([Candidate("kmeans", 0.6, 0.9), Candidate("gmm", 0.6 + 1e-12, 0.5)]));
        Assert.Equal(0, AutoClustering.Select([Candidate("kmeans", 0.6, 0.5), Candidate("gmm", 0.6, 0.5)]));
        Assert.Throws<OptionsException>(() => AutoClustering.Select([Candidate("dbscan", 0.9, 0.1, noise: 0.9)]));
    }

    private static ClusteringCandidate Candidate(string method, double silhouette, double daviesBouldin, double noise = 0)
    {
        var (eligible, reason) = AutoClustering.Eligibility(ChoiceNames.Parse<ClusteringMethod>(method)!.Value, 10, noise);
        return new ClusteringCandidate
        {
            Method = method,
            NClusters = 10,
            NoiseFraction = noise,
            Silhouette = silhouette,
            DaviesBouldin = daviesBouldin,
            CalinskiHarabasz = 100,
            FitS = 0.1,
            Eligible = eligible,
            Reason = reason,
        };
    }
}
