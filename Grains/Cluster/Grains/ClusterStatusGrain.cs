using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Interfaces.Cluster;
using Orleans.Runtime.MembershipService.SiloMetadata;

namespace Distributed.Grains.Cluster.Grains;

/// <summary>
/// Silos from Orleans membership (with the roles and id from their metadata) and the jobs recorded
/// here, each asked for its own status.
/// </summary>
public sealed class ClusterStatusGrain(
    [PersistentState("job-catalog", LabellingSiloHosting.StorageName)] IPersistentState<JobCatalogState> catalog,
    IClusterMembershipService membership, ISiloMetadataCache metadata) : Grain, IClusterStatusGrain
{
    /// <inheritdoc/>
    public async Task AddJob(Guid jobId)
    {
        if (!catalog.State.Jobs.Contains(jobId))
        {
            catalog.State.Jobs.Add(jobId);
            await catalog.WriteStateAsync().ConfigureAwait(true);
        }
    }

    /// <inheritdoc/>
    public async Task<ClusterStatus> GetStatus()
    {
        var silos = membership.CurrentSnapshot.Members.Values
            .OrderBy(m => m.Status == SiloStatus.Active ? 0 : 1)
            .ThenBy(m => m.SiloAddress.ToString(), StringComparer.Ordinal)
            .Select(m =>
            {
                var values = metadata.GetSiloMetadata(m.SiloAddress).Metadata;
                var roles = values.GetValueOrDefault(SiloMetadataKeys.Roles) is { Length: > 0 } text ? text.Split(',') : [];
                return new SiloInfo(values.GetValueOrDefault(SiloMetadataKeys.Id) ?? m.Name, m.SiloAddress.ToString(), roles, m.Status.ToString());
            })
            .ToList();
        var jobs = await Task.WhenAll(catalog.State.Jobs.Select(JobStatusAsync)).ConfigureAwait(true);
        return new ClusterStatus(silos, [.. jobs.OrderByDescending(j => j.SubmittedUtc)]);
    }

    /// <summary>A job's own answer; a job that cannot answer (no coordinator silo is up) is listed with the reason.</summary>
    private async Task<JobStatus> JobStatusAsync(Guid jobId)
    {
        try
        {
            return await GrainFactory.GetGrain<ILabellingJobGrain>(jobId).GetStatus().ConfigureAwait(true);
        }
        catch (Exception e) when (e is OrleansException or TimeoutException)
        {
            return new JobStatus(jobId, JobState.Unknown, JobPhase.Features, 0, 0, "", $"no answer: {e.Message}", null, 0, null, DateTimeOffset.MinValue);
        }
    }
}
