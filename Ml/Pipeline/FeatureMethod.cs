namespace Distributed.Ml.Pipeline;

/// <summary>How images become feature vectors.</summary>
public enum FeatureMethod
{
    /// <summary>PCA of the pixels (fast, linear).</summary>
    Pca,
    /// <summary>The 784 normalised pixels as they are.</summary>
    Pixels,
    /// <summary>Bottleneck of a convolutional autoencoder trained without labels.</summary>
    Autoencoder,
}
