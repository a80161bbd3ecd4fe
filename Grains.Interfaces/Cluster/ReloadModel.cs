namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>
/// Published to every predictor grain: load the bundle at <paramref name="ModelPath"/> and swap to it
/// once verified; requests in flight finish on the old model.
/// </summary>
/// <param name="ModelPath">Model bundle directory.</param>
public sealed record ReloadModel(string ModelPath);
