namespace Distributed.Grains.Cluster.Hosting;

/// <summary>The compute backend a silo asks for its feature-extraction grains (<c>--feature-backend</c>, <c>Silo__FeatureBackend</c>).</summary>
public enum FeatureBackendChoice
{
    /// <summary>CUDA when the silo has the <c>gpu</c> role and ILGPU finds a CUDA device, the CPU otherwise. The default.</summary>
    Auto,

    /// <summary>The CPU, always.</summary>
    Cpu,

    /// <summary>A CUDA GPU; a silo that has none does not start.</summary>
    Cuda,
}
