namespace Distributed.Grains.Cluster.Hosting;

/// <summary>The feature backend a silo was told to use cannot run here (<c>--feature-backend cuda</c> without a usable CUDA device).</summary>
public sealed class FeatureBackendUnavailableException : Exception
{
    /// <summary>Creates the exception with a message for a one-line error.</summary>
    public FeatureBackendUnavailableException(string message)
        : base(message)
    {
    }
}
