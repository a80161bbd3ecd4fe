using Distributed.Ml.Rebalancing;
using Distributed.Ml.Refinement;

namespace Distributed.Ml.Pipeline;

/// <summary>What the forest learns from, and how it was obtained from a clustering.</summary>
/// <param name="Labelling">The first stage's labels and the clustering's scores.</param>
/// <param name="Refinement">Self-labelling's CNN and labels; null without refinement.</param>
/// <param name="PseudoLabels">The label the forest learns for every row: the refined label, else the first stage's.</param>
/// <param name="TrainRows">Rows (ascending) the forest trains on, before rebalancing.</param>
/// <param name="HeldOutRows">Rows (ascending) that score the forest; never resampled.</param>
/// <param name="Rebalanced">The training rows after rebalancing, with class counts before and after.</param>
public sealed record PseudoLabelledTraining(
    PseudoLabelling Labelling,
    SelfLabellingResult? Refinement,
    int[] PseudoLabels,
    int[] TrainRows,
    int[] HeldOutRows,
    SmoteTomekResult Rebalanced);
