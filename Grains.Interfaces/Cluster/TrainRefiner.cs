using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>
/// Train one round of the job's self-labelling CNN on the images the coordinator chose: in the first
/// round the confident images with their first-stage labels, in a later round every image with the
/// round before's labels.
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="ShardsRef">Store reference of the shard manifest.</param>
/// <param name="RowsRef">Store reference of the training rows: global row numbers, ascending (int32 .npy).</param>
/// <param name="LabelsRef">Store reference of each training row's label (int32 .npy).</param>
/// <param name="Classes">Number of classes.</param>
/// <param name="Options">The pipeline options (the CNN's settings, seed).</param>
/// <param name="OutputRef">Where the trained CNN goes.</param>
/// <param name="Round">The round, from 0 (the CNN's seed is the round's: <c>SelfLabelling.RoundOptions</c>).</param>
[GenerateSerializer, Immutable]
public sealed record TrainRefiner(Guid JobId, string ShardsRef, string RowsRef, string LabelsRef, int Classes, PipelineOptions Options, string OutputRef, int Round);
