namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Asks a worker to label one shard with the final clustering model. Answered by <see cref="ShardCompleted"/>.</summary>
/// <param name="JobId">The job.</param>
/// <param name="Shard">Shard index.</param>
/// <param name="DataRef">Store reference of the shard's rows.</param>
/// <param name="ModelRef">Store reference of the model.</param>
/// <param name="ModelKind"><c>kmeans</c> or <c>gmm</c>.</param>
/// <param name="OutputRef">Where the labels (int32 .npy) go.</param>
public sealed record AssignShard(Guid JobId, int Shard, string DataRef, string ModelRef, string ModelKind, string OutputRef);
