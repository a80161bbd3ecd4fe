namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Grow trees [<paramref name="FirstTree"/>, <paramref name="FirstTree"/> + <paramref name="Count"/>) of a forest.</summary>
/// <param name="RowsRef">Store reference of the training rows (float32 .npy).</param>
/// <param name="LabelsRef">Store reference of their pseudo-labels (int32 .npy).</param>
/// <param name="Seed">The forest seed.</param>
/// <param name="FirstTree">Index of the first tree.</param>
/// <param name="Count">Trees to grow.</param>
/// <param name="OutputRef">Where the group goes.</param>
[GenerateSerializer, Immutable]
public sealed record GrowTreeGroup(string RowsRef, string LabelsRef, ulong Seed, int FirstTree, int Count, string OutputRef);
