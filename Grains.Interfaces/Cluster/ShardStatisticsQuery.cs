namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>One restart's query in a <see cref="ComputeShardStatistics"/>: the ML library's <c>ShardQuery</c> on the wire.</summary>
/// <param name="Restart">The restart asking (the worker keeps k-means bounds per restart).</param>
/// <param name="Kind">Which statistics.</param>
/// <param name="Model">The model in the ML library's format: a <c>KMeansModel</c> for centres, a <c>GaussianMixtureModel</c> for a mixture.</param>
/// <param name="CovarianceType">Covariance type of the mixture to start (<see cref="Ml.Clustering.ShardQueryKind.MixtureFromCentres"/>).</param>
[GenerateSerializer, Immutable]
public sealed record ShardStatisticsQuery(int Restart, Ml.Clustering.ShardQueryKind Kind, byte[] Model, Ml.Clustering.CovarianceType CovarianceType);
