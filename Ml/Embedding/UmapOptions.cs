namespace Distributed.Ml.Embedding;

/// <summary>Options for <see cref="Umap"/>; the defaults are umap-learn's.</summary>
public sealed record UmapOptions
{
    /// <summary>Dimension of the embedding. Default 2.</summary>
    public int Components { get; init; } = 2;

    /// <summary>
    /// Size of the local neighbourhood, counting the point itself (umap-learn's convention: 15
    /// means 14 other points). Larger values favour global over local structure. Default 15.
    /// </summary>
    public int Neighbors { get; init; } = 15;

    /// <summary>Smallest distance between embedded points: smaller packs clusters tighter. Default 0.1.</summary>
    public double MinDist { get; init; } = 0.1;

    /// <summary>Scale of the embedded distances, together with <see cref="MinDist"/>. Default 1.0.</summary>
    public double Spread { get; init; } = 1.0;

    /// <summary>Optimisation epochs; 0 = automatic: 500 for up to 10,000 rows, 200 above. Default 0.</summary>
    public int Epochs { get; init; }

    /// <summary>Initial SGD learning rate, decaying linearly to 0 over the epochs. Default 1.0.</summary>
    public double LearningRate { get; init; } = 1.0;

    /// <summary>Negative (repulsive) samples per positive sample. Default 5.</summary>
    public int NegativeSampleRate { get; init; } = 5;

    /// <summary>Weight of the repulsive term, γ. Default 1.0.</summary>
    public double RepulsionStrength { get; init; } = 1.0;

    /// <summary>Starting layout. Default <see cref="UmapInitialization.Spectral"/>.</summary>
    public UmapInitialization Initialization { get; init; } = UmapInitialization.Spectral;

    /// <summary>
    /// Epochs used to place new rows in <see cref="UmapModel.Transform"/>, at a quarter of
    /// <see cref="LearningRate"/>. umap-learn uses 30 for batches over 10,000 rows and 100 below;
    /// here the count is fixed so that a row's placement never depends on its batch. Default 30.
    /// </summary>
    public int TransformEpochs { get; init; } = 30;

    /// <summary>Seed for every random choice (neighbour search, initialisation, sampling, transform). Default 42.</summary>
    public ulong Seed { get; init; } = 42;
}
