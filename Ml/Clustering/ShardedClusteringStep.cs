namespace Distributed.Ml.Clustering;

/// <summary>Where one restart of <see cref="ShardedClustering"/> stands.</summary>
public enum ShardedClusteringStep
{
    /// <summary>k-means++ seeding on the sample.</summary>
    Init,

    /// <summary>Lloyd iterations.</summary>
    KMeans,

    /// <summary>Lloyd has stopped; the restart's score, the last assignment's inertia, is computed next (k-means only: a mixture is scored by its likelihood).</summary>
    KMeansScore,

    /// <summary>The mixture's start from the k-means labels.</summary>
    EmInit,

    /// <summary>EM iterations.</summary>
    Em,

    /// <summary>The restart is over; its model and score are final.</summary>
    Done,
}
