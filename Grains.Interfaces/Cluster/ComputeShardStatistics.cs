namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>
/// Partial statistics of one clustering iteration over a shard. The model travels inline: it is
/// k×d centres or a k-component mixture (a few KB), never the rows.
/// </summary>
/// <param name="DataRef">Store reference of the shard's rows (the embedding).</param>
/// <param name="Kind">Which statistics.</param>
/// <param name="Model">The model in the ML library's format: a <c>KMeansModel</c> for centres, a <c>GaussianMixtureModel</c> for a mixture.</param>
/// <param name="CovarianceType">Covariance type of the mixture to start (<see cref="StatisticsKind.MixtureFromCentres"/>).</param>
[GenerateSerializer, Immutable]
public sealed record ComputeShardStatistics(string DataRef, StatisticsKind Kind, byte[] Model, Ml.Clustering.CovarianceType CovarianceType);
