using Distributed.Ml.SemiSupervised;

namespace Distributed.Ml.Pipeline;

/// <summary>The first stage's labels: a clustering's, or label spreading's when some labels are known, with the clustering's internal scores.</summary>
/// <param name="Scores">Internal scores of the clustering.</param>
/// <param name="Spreading">Label spreading's result when known labels were given; null otherwise.</param>
/// <param name="KnownCount">Rows whose label was known; null without known labels.</param>
/// <param name="Labels">The label of every row: its cluster (−1 for noise), or label spreading's label.</param>
/// <param name="Classes">Labels lie in [0, Classes).</param>
public sealed record PseudoLabelling(InternalScores Scores, LabelSpreadingResult? Spreading, int? KnownCount, int[] Labels, int Classes);
