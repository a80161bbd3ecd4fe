namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>The feature extractor of a job is in the store.</summary>
/// <param name="JobId">The job.</param>
/// <param name="ModelRef">Store reference of the fitted model.</param>
/// <param name="TrainingLoss">Loss per epoch (empty for extractors without training).</param>
/// <param name="Backend">The compute backend that trained it (e.g. <c>cpu</c>).</param>
/// <param name="Seconds">Time spent in the grain.</param>
public sealed record FeatureExtractorTrained(Guid JobId, string ModelRef, IReadOnlyList<double> TrainingLoss, string Backend, double Seconds);
