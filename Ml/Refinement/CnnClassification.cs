using Distributed.Ml.Numerics;

namespace Distributed.Ml.Refinement;

/// <summary>What a self-labelling CNN says of a set of images (<see cref="CnnClassifierModel.Classify"/>).</summary>
/// <param name="Labels">The most probable class of every image (the lowest class on a tie).</param>
/// <param name="Probabilities">Every image's class probabilities, one row per image.</param>
/// <param name="Features">Every image's penultimate activations.</param>
public sealed record CnnClassification(int[] Labels, Matrix Probabilities, Matrix Features);
