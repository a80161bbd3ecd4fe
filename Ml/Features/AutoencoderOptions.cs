using Distributed.Ml.Neural;

namespace Distributed.Ml.Features;

/// <summary>Options for <see cref="Autoencoder"/>.</summary>
public sealed record AutoencoderOptions
{
    /// <summary>Network shape. Default <see cref="AutoencoderArchitecture.Dense"/> (the N2D recipe; see the README for the measurements behind the choice).</summary>
    public AutoencoderArchitecture Architecture { get; init; } = AutoencoderArchitecture.Dense;

    /// <summary>Size of the bottleneck, i.e. of the feature vector. Default 10 (N2D, DCEC).</summary>
    public int EmbeddingSize { get; init; } = 10;

    /// <summary>Maximum passes over the training rows. Default 30.</summary>
    public int Epochs { get; init; } = 30;

    /// <summary>Rows per Adam step. Default 256 (N2D).</summary>
    public int BatchSize { get; init; } = 256;

    /// <summary>Adam step size. Default 1e-3 (Adam's and Keras' default).</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>Reconstruction loss. Default mean squared error (N2D).</summary>
    public LossFunction Loss { get; init; } = LossFunction.MeanSquaredError;

    /// <summary>
    /// Training stops once the epoch loss has failed to improve on the best so far by at least
    /// <see cref="MinRelativeImprovement"/> for this many consecutive epochs. Default 3.
    /// </summary>
    public int Patience { get; init; } = 3;

    /// <summary>Relative loss decrease that counts as progress for <see cref="Patience"/>. Default 0.01 (1%).</summary>
    public double MinRelativeImprovement { get; init; } = 0.01;

    /// <summary>Train on at most this many rows, a seeded sample (0 = all). Default 0.</summary>
    public int MaxTrainingRows { get; init; }

    /// <summary>
    /// Hidden widths of the dense encoder (the decoder mirrors them); null for N2D's 500-500-2000,
    /// which the product always uses. Internal and never serialised: the tests train small networks
    /// with it, where the CPU accelerator would take minutes for N2D's.
    /// </summary>
    internal IReadOnlyList<int>? DenseHidden { get; init; }

    /// <summary>Seed for weight initialisation, sampling, shuffling and dropout. Default 42.</summary>
    public ulong Seed { get; init; } = 42;
}
