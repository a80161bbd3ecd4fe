namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Values of <see cref="JobStatus.State"/>.</summary>
public static class JobStates
{
    /// <summary>No such job in the store.</summary>
    public const string Unknown = "unknown";

    /// <summary>Accepted and not finished (it resumes after a coordinator restart).</summary>
    public const string Running = "running";

    /// <summary>Outputs written.</summary>
    public const string Completed = "completed";

    /// <summary>Stopped for good; <see cref="JobStatus.Error"/> says why.</summary>
    public const string Failed = "failed";
}
