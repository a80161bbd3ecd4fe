using System.Text.Json.Serialization;

namespace Distributed.Ml.Pipeline;

/// <summary>The clustering algorithm.</summary>
public enum ClusteringMethod
{
    /// <summary>Lloyd's k-means with k-means++ restarts.</summary>
    [JsonStringEnumMemberName("kmeans")]
    KMeans,
    /// <summary>Mini-batch k-means.</summary>
    [JsonStringEnumMemberName("minibatch-kmeans")]
    MiniBatchKMeans,
    /// <summary>Gaussian mixture by EM.</summary>
    Gmm,
    /// <summary>DBSCAN: density-based, finds its own cluster count and marks noise −1.</summary>
    Dbscan,
    /// <summary>Hierarchical agglomerative clustering (Ward, average or complete linkage).</summary>
    Agglomerative,
    /// <summary>Fit k-means, GMM, DBSCAN and agglomerative and keep the best by internal metrics (<see cref="AutoClustering"/>).</summary>
    Auto,
}
