using Orleans.Concurrency;

namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>
/// Feature extraction, placed only on silos with the <c>gpu</c> role. Keyed
/// <c>&lt;job&gt;/training</c> for the extractor's training and <c>&lt;job&gt;/&lt;shard&gt;</c> for
/// encoding a shard. Training takes minutes, so it runs in the background and the coordinator
/// polls it; a poll that reaches a new activation (the training silo died) sees
/// <see cref="TrainingState.Idle"/> and starts it again, with the same result.
/// </summary>
public interface IFeatureExtractorGrain : IGrainWithStringKey
{
    /// <summary>Starts training unless it is running or done; answers at once.</summary>
    Task<ExtractorTraining> StartTraining(TrainExtractor request);

    /// <summary>The training's progress.</summary>
    [AlwaysInterleave]
    Task<ExtractorTraining> GetTraining();

    /// <summary>Encodes one shard with the fitted extractor.</summary>
    [ResponseTimeout("00:10:00")]
    Task<ShardCompleted> EncodeShard(EncodeShard request);
}
