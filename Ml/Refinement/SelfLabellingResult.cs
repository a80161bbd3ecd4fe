using Distributed.Ml.Numerics;

namespace Distributed.Ml.Refinement;

/// <summary>What self-labelling produced.</summary>
/// <param name="Model">The CNN trained on the confident images.</param>
/// <param name="ConfidentRows">The images it trained on, ascending.</param>
/// <param name="Labels">The CNN's label for every image: the refined pseudo-labels.</param>
/// <param name="Features">The CNN's penultimate activations of every image (what a forest can learn the labels from).</param>
public sealed record SelfLabellingResult(CnnClassifierModel Model, int[] ConfidentRows, int[] Labels, Matrix Features);
