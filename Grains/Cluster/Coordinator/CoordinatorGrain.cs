using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Interfaces.Cluster;
using MassTransit;

namespace Distributed.Grains.Cluster.Coordinator;

/// <summary>
/// Coordinator grain (coordinator role): accepts jobs, answers job and cluster status from the
/// checkpoints in the store, and keeps the membership table from heartbeats. The job itself runs
/// in <see cref="JobRunnerService"/>, so no message holds a consumer for longer than a file write.
/// </summary>
public sealed class CoordinatorGrain(JobStore jobs, JobRunnerService runners, ClusterMembership membership, SiloOptions options)
    : IConsumer<SubmitJob>, IConsumer<GetJobStatus>, IConsumer<GetClusterStatus>, IConsumer<SiloHeartbeat>
{
    /// <inheritdoc/>
    public async Task Consume(ConsumeContext<SubmitJob> context)
    {
        var job = context.Message;
        jobs.Create(job);
        if (jobs.Load(job.JobId) is { State: JobStates.Running })
        {
            runners.Start(job.JobId);
        }
        await context.RespondAsync(new JobSubmitted(job.JobId, options.SiloId)).ConfigureAwait(false);
    }

    /// <inheritdoc/>
    public Task Consume(ConsumeContext<GetJobStatus> context) => context.RespondAsync(jobs.Status(context.Message.JobId));

    /// <inheritdoc/>
    public Task Consume(ConsumeContext<GetClusterStatus> context)
    {
        var statuses = jobs.Jobs()
            .Select(id => (Id: id, State: jobs.Load(id)))
            .OrderByDescending(j => j.State?.SubmittedUtc)
            .Select(j => jobs.Status(j.Id))
            .ToList();
        return context.RespondAsync(new ClusterStatus(membership.Live(), statuses));
    }

    /// <inheritdoc/>
    public Task Consume(ConsumeContext<SiloHeartbeat> context)
    {
        membership.Heard(context.Message);
        return Task.CompletedTask;
    }
}
