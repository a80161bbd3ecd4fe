namespace Distributed.Grains.Cluster.Store;

/// <summary>Store references of a job's ingested inputs.</summary>
/// <param name="ShardsRef">The shard manifest.</param>
/// <param name="LabelsRef">True labels, used only to evaluate; null without them.</param>
/// <param name="KnownLabelsRef">Labels of which a seeded fraction is known to label spreading; null without them.</param>
public sealed record IngestedJob(string ShardsRef, string? LabelsRef, string? KnownLabelsRef);
