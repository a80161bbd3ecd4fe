namespace Distributed.Ml.Pipeline;

/// <summary>Whether a second labelling stage refines the clusters' labels before the forest learns them.</summary>
public enum RefineMethod
{
    /// <summary>The forest learns the cluster (or label spreading) labels as they are.</summary>
    None,
    /// <summary>
    /// Self-labelling: a CNN trained on the confident images with their labels, under light
    /// augmentation, relabels every image (<see cref="Refinement.SelfLabelling"/>).
    /// </summary>
    Cnn,
}
