using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Train the job's self-labelling CNN on the images the coordinator chose, with their first-stage labels.</summary>
/// <param name="JobId">The job.</param>
/// <param name="ShardsRef">Store reference of the shard manifest.</param>
/// <param name="RowsRef">Store reference of the training rows: global row numbers, ascending (int32 .npy).</param>
/// <param name="LabelsRef">Store reference of each training row's label (int32 .npy).</param>
/// <param name="Classes">Number of classes.</param>
/// <param name="Options">The pipeline options (the CNN's settings, seed).</param>
/// <param name="OutputRef">Where the trained CNN goes.</param>
[GenerateSerializer, Immutable]
public sealed record TrainRefiner(Guid JobId, string ShardsRef, string RowsRef, string LabelsRef, int Classes, PipelineOptions Options, string OutputRef);
