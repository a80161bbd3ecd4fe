using Distributed.Ml.Numerics;

namespace Distributed.Ml.Refinement;

/// <summary>What self-labelling produced.</summary>
/// <param name="Model">The last round's CNN.</param>
/// <param name="ConfidentRows">The images the first round trained on, ascending.</param>
/// <param name="Labels">The refined pseudo-labels: for every image the class with the largest probability averaged over the rounds' CNNs.</param>
/// <param name="Features">The last round's penultimate activations of every image (what a forest can learn the labels from).</param>
public sealed record SelfLabellingResult(CnnClassifierModel Model, int[] ConfidentRows, int[] Labels, Matrix Features);
