namespace Distributed.Ml.Clustering;

/// <summary>Where one restart of <see cref="ShardedClustering"/> stands.</summary>
public enum ShardedClusteringStep
{
    /// <summary>k-means++ seeding on the sample.</summary>
    Init,

    /// <summary>Lloyd iterations.</summary>
    KMeans,

    /// <summary>The mixture's start from the k-means labels.</summary>
    EmInit,

    /// <summary>EM iterations.</summary>
    Em,

    /// <summary>Every restart ran; the best model is final.</summary>
    Done,
}
