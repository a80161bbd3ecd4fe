namespace Distributed.Ml.Clustering;

/// <summary>
/// Checkpoint of <see cref="ShardedClustering"/>: plain data, so a host can persist it after every
/// round and resume a run from it (on another machine) with the same result. Models are kept in
/// their own binary format (<see cref="KMeansModel.Save"/>, <see cref="GaussianMixtureModel.Save"/>).
/// </summary>
public sealed class ShardedClusteringState
{
    /// <summary>Every restart's progress, by restart index; empty until the fit starts.</summary>
    public List<ShardedRestartState> Restarts { get; set; } = [];

    /// <summary>Rounds done: each asks every shard for the statistics of every restart still running.</summary>
    public int Rounds { get; set; }
}
