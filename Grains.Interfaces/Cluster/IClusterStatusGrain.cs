namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>The cluster's silos (from Orleans membership) and its jobs (one grain, key 0, which keeps the list of job ids).</summary>
public interface IClusterStatusGrain : IGrainWithIntegerKey
{
    /// <summary>Records a job so that <see cref="GetStatus"/> lists it.</summary>
    Task AddJob(Guid jobId);

    /// <summary>Silos with their roles and status, and every job with its state, newest first.</summary>
    Task<ClusterStatus> GetStatus();
}
