namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Where a job stands.</summary>
public enum JobState
{
    /// <summary>No such job.</summary>
    Unknown,

    /// <summary>Accepted and not finished (it resumes on another coordinator if its silo dies).</summary>
    Running,

    /// <summary>Outputs written.</summary>
    Completed,

    /// <summary>Stopped for good; <see cref="JobStatus.Error"/> says why.</summary>
    Failed,

    /// <summary>Stopped on request.</summary>
    Cancelled,
}
