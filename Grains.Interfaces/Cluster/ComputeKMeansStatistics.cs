namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>
/// Asks a worker for one shard's k-means partial statistics (per-cluster sums, counts, inertia)
/// under the given centres. Answered by <see cref="ShardCompleted"/>.
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="Shard">Shard index.</param>
/// <param name="DataRef">Store reference of the shard's rows.</param>
/// <param name="CentresRef">Store reference of the centres (float32 .npy, k×d).</param>
/// <param name="OutputRef">Where the statistics go.</param>
public sealed record ComputeKMeansStatistics(Guid JobId, int Shard, string DataRef, string CentresRef, string OutputRef);
