using Distributed.Grains.Interfaces.Cluster;
using Distributed.Ml.Clustering;

namespace Distributed.Grains.Cluster.Coordinator;

/// <summary>
/// A job's persistent state, written after every phase and every clustering iteration. A
/// coordinator that activates the job (after its silo died) resumes at the phase and iteration it
/// records; everything it points to is in the shared store.
/// </summary>
[GenerateSerializer]
public sealed class JobCheckpoint
{
    /// <summary>The job as submitted; null before submission.</summary>
    [Id(0)]
    public LabellingJobSpec? Spec { get; set; }

    /// <summary>Where the job stands.</summary>
    [Id(1)]
    public JobState State { get; set; } = JobState.Unknown;

    /// <summary>Current phase.</summary>
    [Id(2)]
    public JobPhase Phase { get; set; } = JobPhase.Features;

    /// <summary>Items of the phase done.</summary>
    [Id(3)]
    public int Done { get; set; }

    /// <summary>Items of the phase.</summary>
    [Id(4)]
    public int Total { get; set; }

    /// <summary>Detail for progress lines.</summary>
    [Id(5)]
    public string Detail { get; set; } = "";

    /// <summary>Why the job failed.</summary>
    [Id(6)]
    public string? Error { get; set; }

    /// <summary>Outputs directory once completed.</summary>
    [Id(7)]
    public string? OutputsRef { get; set; }

    /// <summary>When the job was accepted.</summary>
    [Id(8)]
    public DateTimeOffset SubmittedUtc { get; set; }

    /// <summary>Grain calls made (retries included).</summary>
    [Id(9)]
    public long GrainCalls { get; set; }

    /// <summary>Sum over calls of the time from call to answer, seconds.</summary>
    [Id(10)]
    public double CallSeconds { get; set; }

    /// <summary>Sum over answers of the time spent inside the grain, seconds.</summary>
    [Id(11)]
    public double GrainSeconds { get; set; }

    /// <summary>Seconds per stage, summed over resumptions.</summary>
    [Id(12)]
    public Dictionary<string, double> TimingsS { get; set; } = [];

    /// <summary>Fitted feature extractor, when the options ask for one.</summary>
    [Id(13)]
    public string? ExtractorRef { get; set; }

    /// <summary>Autoencoder loss per epoch.</summary>
    [Id(14)]
    public double[]? TrainingLoss { get; set; }

    /// <summary>Fitted reducer, when the options ask for one.</summary>
    [Id(15)]
    public string? ReducerRef { get; set; }

    /// <summary>Store references of the self-labelling CNNs trained so far, one per round in order.</summary>
    /// <remarks>Id 19 held the one CNN of a single-round stage: a new id, so a checkpoint written before rounds
    /// reads as no CNN trained (its field is skipped) instead of failing to read.</remarks>
    [Id(20)]
    public List<string> RefinerRefs { get; set; } = [];

    /// <summary>Distributed k-means / EM: restarts, iterations and the best model so far.</summary>
    [Id(16)]
    public ShardedClusteringState Clustering { get; set; } = new();

    /// <summary>Times the job was resumed after an interruption.</summary>
    [Id(17)]
    public int Resumptions { get; set; }

    /// <summary>The compute backend that trained the feature extractor (<c>cpu</c>, <c>cuda</c>); null until then.</summary>
    [Id(18)]
    public string? FeatureBackend { get; set; }
}
