using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>A labelling job whose images are already ingested into the shared store.</summary>
/// <param name="ShardsRef">Store reference of the shard manifest written by the ingest.</param>
/// <param name="LabelsRef">Store reference of true labels (int32 .npy), used only to evaluate; null without labels.</param>
/// <param name="KnownLabelsRef">Store reference of a label for every image, of which the options' seeded known fraction is given to label spreading; null without.</param>
/// <param name="Options">The pipeline options: the seed and every choice of the fit.</param>
/// <param name="EncoderSampleRows">Rows in the seeded sample the feature extractor is trained on.</param>
/// <param name="UmapSampleRows">Rows in the seeded sample UMAP is fitted on; the rest are transformed shard by shard.</param>
/// <param name="TreesPerGroup">Trees grown by one forest-trainer call.</param>
/// <param name="KeepJobData">Keep the job's shards and intermediates in the store once it completes (for debugging); by default only its outputs stay.</param>
[GenerateSerializer, Immutable]
public sealed record LabellingJobSpec(string ShardsRef, string? LabelsRef, string? KnownLabelsRef, PipelineOptions Options,
    int EncoderSampleRows, int UmapSampleRows, int TreesPerGroup, bool KeepJobData = false);
