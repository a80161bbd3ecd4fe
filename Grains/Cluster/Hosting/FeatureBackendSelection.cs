using Distributed.Grains.Cluster.Grains;

namespace Distributed.Grains.Cluster.Hosting;

/// <summary>The backend a silo's feature-extraction grains use, and why it was chosen (for the start line and the logs).</summary>
/// <param name="Backend">The backend.</param>
/// <param name="Reason">Why: the setting, or what <c>auto</c> found (e.g. <c>auto: NVIDIA H100</c>, or <c>auto: no CUDA device found; …</c>).</param>
public sealed record FeatureBackendSelection(IFeatureBackend Backend, string Reason);
