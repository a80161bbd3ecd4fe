using Distributed.Ml.Rebalancing;
using Distributed.Ml.SemiSupervised;

namespace Distributed.Ml.Pipeline;

/// <summary>What the forest learns from, and how it was obtained from a clustering.</summary>
/// <param name="Scores">Internal scores of the clustering.</param>
/// <param name="Spreading">Label spreading's result when known labels were given; null otherwise.</param>
/// <param name="KnownCount">Rows whose label was known; null without known labels.</param>
/// <param name="PseudoLabels">The label of every row: its cluster, or label spreading's label.</param>
/// <param name="TrainRows">Rows (ascending) the forest trains on, before rebalancing.</param>
/// <param name="HeldOutRows">Rows (ascending) that score the forest; never resampled.</param>
/// <param name="Rebalanced">The training rows after rebalancing, with class counts before and after.</param>
public sealed record PseudoLabelledTraining(
    InternalScores Scores,
    LabelSpreadingResult? Spreading,
    int? KnownCount,
    int[] PseudoLabels,
    int[] TrainRows,
    int[] HeldOutRows,
    SmoteTomekResult Rebalanced);
