namespace Distributed.Ml.Pipeline;

/// <summary>What the random forest sees of an image, in training and at prediction time.</summary>
public enum ClassifierInput
{
    /// <summary>The reduced features the clusters live in (after the feature extractor and the reduction).</summary>
    Features,
    /// <summary>The 784 normalised pixels.</summary>
    Pixels,
    /// <summary>The self-labelling CNN's penultimate activations (needs <see cref="RefineMethod.Cnn"/>): what the refined labels were decided from.</summary>
    Cnn,
}
