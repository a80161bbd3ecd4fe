namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>
/// Asks the coordinator to run a labelling job whose images were already ingested into the shard
/// store. Answered by <see cref="JobSubmitted"/>. Submitting the same id again is harmless.
/// </summary>
/// <param name="JobId">Job identity; its files live under <c>jobs/&lt;id&gt;/</c> in the store.</param>
/// <param name="ShardsRef">Store reference of the shard manifest written by the ingest.</param>
/// <param name="LabelsRef">Store reference of true labels (int32 .npy), used only to evaluate; null without labels.</param>
/// <param name="OptionsJson">The pipeline options, as the project's JSON (snake_case).</param>
/// <param name="EncoderSampleRows">Rows in the seeded sample the feature extractor is trained on.</param>
/// <param name="UmapSampleRows">Rows in the seeded sample UMAP is fitted on; the rest are transformed shard by shard.</param>
/// <param name="TreesPerGroup">Trees grown by one forest-trainer request.</param>
/// <param name="KnownLabelsRef">
/// Store reference of a label for every image (int32 .npy), of which the options' seeded known
/// fraction is given to label spreading; null for a run without known labels.
/// </param>
public sealed record SubmitJob(Guid JobId, string ShardsRef, string? LabelsRef, string OptionsJson, int EncoderSampleRows, int UmapSampleRows, int TreesPerGroup,
    string? KnownLabelsRef = null);
