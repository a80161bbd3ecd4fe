namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Label one shard with the final clustering model.</summary>
/// <param name="DataRef">Store reference of the shard's rows.</param>
/// <param name="ModelRef">Store reference of the model (its kind in the file name).</param>
/// <param name="OutputRef">Where the labels (int32 .npy) go.</param>
[GenerateSerializer, Immutable]
public sealed record AssignShard(string DataRef, string ModelRef, string OutputRef);
