using Distributed.Ml.Metrics;

namespace Distributed.Ml.Pipeline;

/// <summary>Scores cluster assignments against true labels the user supplied, for evaluation only.</summary>
/// <param name="Accuracy">Accuracy after Hungarian matching of clusters to classes.</param>
/// <param name="Nmi">Normalised mutual information.</param>
/// <param name="Ari">Adjusted Rand index.</param>
public sealed record ExternalEvaluation(double Accuracy, double Nmi, double Ari)
{
    /// <summary>Computes all three; lengths must match.</summary>
    public static ExternalEvaluation Compute(ReadOnlySpan<int> trueLabels, ReadOnlySpan<int> assignments)
    {
        if (trueLabels.Length != assignments.Length)
        {
            throw new ArgumentException($"{trueLabels.Length} labels for {assignments.Length} assignments.");
        }
        return new ExternalEvaluation(
            ClusteringAccuracy.Score(trueLabels, assignments),
            NormalizedMutualInformation.Score(trueLabels, assignments),
            AdjustedRandIndex.Score(trueLabels, assignments));
    }
}
