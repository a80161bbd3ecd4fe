using Orleans.Concurrency;

namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>
/// Feature extraction and the job's other network training, placed only on silos with the
/// <c>gpu</c> role. Keyed <c>&lt;job&gt;/training</c> for the extractor's training,
/// <c>&lt;job&gt;/refiner</c> for the self-labelling CNN's and <c>&lt;job&gt;/&lt;shard&gt;</c> for
/// encoding a shard. Training takes minutes, so it runs in the background and the coordinator
/// follows it with <see cref="WaitForTraining"/>; a call that reaches a new activation (the training
/// silo died) sees <see cref="TrainingState.Idle"/> and starts it again, with the same result.
/// </summary>
public interface IFeatureExtractorGrain : IGrainWithStringKey
{
    /// <summary>Starts training unless it is running or done; answers at once.</summary>
    Task<ExtractorTraining> StartTraining(TrainExtractor request);

    /// <summary>Starts training the self-labelling CNN unless it is running or done; answers at once.</summary>
    Task<ExtractorTraining> StartRefinerTraining(TrainRefiner request);

    /// <summary>
    /// The training's progress once it has ended, or after <paramref name="longest"/> (at most
    /// <see cref="LongestWait"/>) while it runs; at once when it is idle or <paramref name="longest"/> is zero.
    /// </summary>
    [AlwaysInterleave]
    Task<ExtractorTraining> WaitForTraining(TimeSpan longest);

    /// <summary>
    /// Stops a running training between two batches, because its job was cancelled: nobody will take
    /// its model, and it would hold the silo's cores for minutes. Nothing to answer, so nothing to wait for.
    /// </summary>
    [OneWay]
    [AlwaysInterleave]
    Task StopTraining();

    /// <summary>The longest a <see cref="WaitForTraining"/> call waits, well inside Orleans' response timeout.</summary>
    static TimeSpan LongestWait => TimeSpan.FromSeconds(10);

    /// <summary>Encodes one shard with the fitted extractor.</summary>
    [ResponseTimeout("00:10:00")]
    Task<ShardCompleted> EncodeShard(EncodeShard request);
}
