namespace Distributed.Ml.Pipeline;

/// <summary>Where a model's novelty check measures an image's distance from the labels' groups.</summary>
public enum NoveltySpace
{
    /// <summary>The reduced features the clusters live in: where the labels were decided without refinement.</summary>
    Embedding,
    /// <summary>The self-labelling CNN's penultimate activations: where the refined labels were decided.</summary>
    Cnn,
}
