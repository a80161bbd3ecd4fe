namespace Distributed.Ml.Clustering;

/// <summary>
/// One restart's request for partial statistics of every shard in a round of
/// <see cref="ShardedClustering"/>. The model is in the library's binary format, as the checkpoint
/// keeps it (a <see cref="KMeansModel"/> for centres, a <see cref="GaussianMixtureModel"/> for a
/// mixture): a few KB, so a query can cross a process boundary as it is.
/// </summary>
/// <param name="Restart">The restart asking: a shard's holder keeps k-means bounds per restart, since restarts advance side by side.</param>
/// <param name="Kind">Which statistics.</param>
/// <param name="Model">Centres or mixture, serialized.</param>
/// <param name="CovarianceType">Covariance type of the mixture to start (<see cref="ShardQueryKind.MixtureFromCentres"/>).</param>
public sealed record ShardQuery(int Restart, ShardQueryKind Kind, byte[] Model, CovarianceType CovarianceType);
