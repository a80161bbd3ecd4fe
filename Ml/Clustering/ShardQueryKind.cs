namespace Distributed.Ml.Clustering;

/// <summary>Which partial statistics a <see cref="ShardQuery"/> asks of every shard.</summary>
public enum ShardQueryKind
{
    /// <summary>k-means sums and counts under centres (an iteration: the holder's bounds skip most distances, no inertia).</summary>
    KMeans,

    /// <summary>k-means sums, counts and inertia under centres (a full pass: a restart's score).</summary>
    KMeansInertia,

    /// <summary>Mixture statistics of the hard nearest-centre labels (EM's start from k-means).</summary>
    MixtureFromCentres,

    /// <summary>E-step statistics under a Gaussian mixture.</summary>
    Mixture,
}
