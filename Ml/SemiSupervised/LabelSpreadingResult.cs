using Distributed.Ml.Numerics;

namespace Distributed.Ml.SemiSupervised;

/// <summary>The outcome of <see cref="LabelSpreading.Fit"/>: a label for every row.</summary>
/// <param name="Labels">Most probable class of every row (known rows included; ties to the smaller label).</param>
/// <param name="Distributions">Normalised label distribution of every row, rows × <paramref name="Classes"/>.Length.</param>
/// <param name="Classes">Class label of each distribution column, ascending.</param>
/// <param name="Iterations">Propagation steps taken.</param>
/// <param name="Converged">Whether the change fell below the tolerance before the iteration limit.</param>
public sealed record LabelSpreadingResult(int[] Labels, Matrix Distributions, int[] Classes, int Iterations, bool Converged);
