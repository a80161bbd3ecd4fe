namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>A job's state and progress.</summary>
/// <param name="JobId">The job.</param>
/// <param name="State">Where it stands.</param>
/// <param name="Phase">Current phase.</param>
/// <param name="Done">Work items of the phase done.</param>
/// <param name="Total">Work items of the phase (0 when not counted).</param>
/// <param name="Detail">Human-readable detail of the phase (iteration, log-likelihood).</param>
/// <param name="Error">Why the job failed; null unless <see cref="State"/> is failed.</param>
/// <param name="OutputsRef">Store reference of the outputs directory once completed.</param>
/// <param name="GrainCalls">Grain calls the coordinator has made for the job so far (retries included).</param>
/// <param name="CoordinatorSilo">The <c>--id</c> of the silo hosting the job's coordinator grain.</param>
/// <param name="SubmittedUtc">When the job was accepted.</param>
/// <param name="FeatureBackend">The compute backend that trained the feature extractor (<c>cpu</c>, <c>cuda</c>); null before training ends, and for raw pixels.</param>
[GenerateSerializer, Immutable]
public sealed record JobStatus(Guid JobId, JobState State, JobPhase Phase, int Done, int Total, string Detail, string? Error, string? OutputsRef,
    long GrainCalls, string? CoordinatorSilo, DateTimeOffset SubmittedUtc, string? FeatureBackend = null);
