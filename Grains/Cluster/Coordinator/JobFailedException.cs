namespace Distributed.Grains.Cluster.Coordinator;

/// <summary>A job cannot go on: a grain faulted, or a wait timed out. The message is what the user sees.</summary>
public sealed class JobFailedException : Exception
{
    /// <summary>Creates the exception.</summary>
    public JobFailedException(string message, Exception? innerException = null)
        : base(message, innerException)
    {
    }
}
