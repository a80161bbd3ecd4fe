namespace Distributed.Ml.Features;

/// <summary>Options for <see cref="Pca"/>.</summary>
public sealed record PcaOptions
{
    /// <summary>Number of principal components kept. Default 50 (the seed notebooks' choice for MNIST).</summary>
    public int Components { get; init; } = 50;

    /// <summary>Scale each component to unit variance. Default false, as scikit-learn.</summary>
    public bool Whiten { get; init; }
}
