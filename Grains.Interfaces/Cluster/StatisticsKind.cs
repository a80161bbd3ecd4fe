namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Which partial statistics a <see cref="ComputeShardStatistics"/> asks for.</summary>
public enum StatisticsKind
{
    /// <summary>k-means sums and counts under centres (an iteration: the worker's bounds skip most distances, no inertia).</summary>
    KMeans,

    /// <summary>k-means sums, counts and inertia under centres (a full pass: a restart's score).</summary>
    KMeansInertia,

    /// <summary>Mixture statistics of the hard nearest-centre labels (EM's start from k-means).</summary>
    MixtureFromCentres,

    /// <summary>E-step statistics under a Gaussian mixture.</summary>
    Mixture,
}
