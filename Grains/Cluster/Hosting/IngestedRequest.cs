using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Jobs;

namespace Distributed.Grains.Cluster.Hosting;

/// <summary>A job request whose images are already shards in the store, waiting to be submitted.</summary>
/// <param name="JobId">The job's id, under which its shards lie.</param>
/// <param name="Request">What was asked.</param>
/// <param name="Shards">Where the shards, labels and known labels lie.</param>
public sealed record IngestedRequest(Guid JobId, LabellingJobRequest Request, IngestedJob Shards);
