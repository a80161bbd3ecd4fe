namespace Distributed.Grains.Cluster.Hosting;

/// <summary>A cluster job failed or could not be waited for; the message says why.</summary>
public sealed class ClusterJobException : Exception
{
    /// <summary>Creates the exception.</summary>
    public ClusterJobException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
