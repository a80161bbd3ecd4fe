namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>
/// Asks a worker for one shard's Gaussian-mixture E-step statistics. With a mixture model the
/// responsibilities are the model's; with centres (k-means initialisation) they are the hard
/// nearest-centre assignments. Answered by <see cref="ShardCompleted"/>.
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="Shard">Shard index.</param>
/// <param name="DataRef">Store reference of the shard's rows.</param>
/// <param name="ModelRef">Store reference of the mixture model, or of centres when <paramref name="FromCentres"/>.</param>
/// <param name="FromCentres">Whether <paramref name="ModelRef"/> holds k-means centres.</param>
/// <param name="CovarianceType">full or diagonal (used with centres).</param>
/// <param name="OutputRef">Where the statistics go.</param>
public sealed record ComputeMixtureStatistics(Guid JobId, int Shard, string DataRef, string ModelRef, bool FromCentres, string CovarianceType, string OutputRef);
