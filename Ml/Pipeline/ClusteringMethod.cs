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
    /// <summary>Density-based clustering with noise.</summary>
    Dbscan,
    /// <summary>Ward agglomerative clustering.</summary>
    Agglomerative,
    /// <summary>Try each and pick by internal metrics.</summary>
    Auto,
}
