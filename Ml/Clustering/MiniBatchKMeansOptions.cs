namespace Distributed.Ml.Clustering;

/// <summary>Options for <see cref="MiniBatchKMeans"/> (defaults follow scikit-learn's <c>MiniBatchKMeans</c>).</summary>
public sealed record MiniBatchKMeansOptions
{
    /// <summary>Number of clusters k. Default 10.</summary>
    public int Clusters { get; init; } = 10;

    /// <summary>Rows per mini-batch. Default 1024.</summary>
    public int BatchSize { get; init; } = 1024;

    /// <summary>Maximum passes over the data (the step count is this × rows / batch size). Default 100.</summary>
    public int MaxEpochs { get; init; } = 100;

    /// <summary>Stop after this many consecutive batches without improvement of the smoothed batch inertia. Default 10.</summary>
    public int MaxNoImprovement { get; init; } = 10;

    /// <summary>k-means++ seedings tried on the initialisation sample; the lowest inertia on it wins. Default 3.</summary>
    public int Restarts { get; init; } = 3;

    /// <summary>Rows in the initialisation sample; 0 means 3 × batch size (at least k). Default 0.</summary>
    public int InitSize { get; init; }

    /// <summary>
    /// Centres whose count falls below this fraction of the largest count are moved to random batch
    /// rows (every 10 batches), which keeps clusters from dying. Default 0.01.
    /// </summary>
    public double ReassignmentRatio { get; init; } = 0.01;

    /// <summary>Seed for every random choice. Default 42.</summary>
    public ulong Seed { get; init; } = 42;
}
