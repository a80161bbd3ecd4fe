namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Which partial statistics a <see cref="ComputeShardStatistics"/> asks for.</summary>
public enum StatisticsKind
{
    /// <summary>k-means sums, counts and inertia under centres.</summary>
    KMeans,

    /// <summary>Mixture statistics of the hard nearest-centre labels (EM's start from k-means).</summary>
    MixtureFromCentres,

    /// <summary>E-step statistics under a Gaussian mixture.</summary>
    Mixture,
}
