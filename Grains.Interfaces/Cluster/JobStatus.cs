namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>A job's state as its last checkpoint records it.</summary>
/// <param name="JobId">The job.</param>
/// <param name="State">One of <see cref="JobStates"/>.</param>
/// <param name="Phase">Current phase (e.g. <c>features</c>, <c>cluster</c>).</param>
/// <param name="Done">Work items of the phase done.</param>
/// <param name="Total">Work items of the phase (0 when not counted).</param>
/// <param name="Detail">Human-readable detail of the phase (iteration, log-likelihood).</param>
/// <param name="Error">Why the job failed; null unless <see cref="State"/> is failed.</param>
/// <param name="OutputsRef">Store reference of the outputs directory once completed.</param>
/// <param name="Messages">Grain requests the coordinator has sent for the job so far.</param>
public sealed record JobStatus(Guid JobId, string State, string Phase, int Done, int Total, string Detail, string? Error, string? OutputsRef, long Messages);
