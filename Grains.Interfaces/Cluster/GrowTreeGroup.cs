namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>
/// Asks a forest-trainer grain to grow trees [<paramref name="FirstTree"/>, <paramref name="FirstTree"/> + <paramref name="Count"/>)
/// of the job's forest, each from its own (seed, tree) generator. Answered by <see cref="ShardCompleted"/>.
/// </summary>
/// <param name="JobId">The job.</param>
/// <param name="RowsRef">Store reference of the training rows (float32 .npy).</param>
/// <param name="LabelsRef">Store reference of their pseudo-labels (int32 .npy).</param>
/// <param name="Seed">The forest seed.</param>
/// <param name="FirstTree">Index of the first tree.</param>
/// <param name="Count">Trees to grow.</param>
/// <param name="OutputRef">Where the group goes.</param>
public sealed record GrowTreeGroup(Guid JobId, string RowsRef, string LabelsRef, ulong Seed, int FirstTree, int Count, string OutputRef);
