namespace Distributed.Ml.Features;

/// <summary>Network shapes for <see cref="Autoencoder"/>.</summary>
public enum AutoencoderArchitecture
{
    /// <summary>
    /// DCEC's convolutional autoencoder for 28×28 images (Guo et al. 2017): conv 32@5×5 s2 → 64@5×5 s2
    /// → 128@3×3 s2 → dense embedding, mirrored with transposed convolutions; ReLU between layers.
    /// </summary>
    Convolutional,

    /// <summary>N2D's / DEC's dense autoencoder: d-500-500-2000-embedding, mirrored; ReLU hidden layers, linear bottleneck and output.</summary>
    Dense,
}
