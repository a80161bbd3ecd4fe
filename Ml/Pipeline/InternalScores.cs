using Distributed.Ml.Numerics;

namespace Distributed.Ml.Pipeline;

/// <summary>Silhouette (seeded sample), Davies–Bouldin and Calinski–Harabasz of one labelling; noise rows (−1) are left out of all three.</summary>
internal sealed record InternalScores(double Silhouette, double DaviesBouldin, double CalinskiHarabasz)
{
    public static InternalScores Compute(Matrix rows, int[] labels, int silhouetteSampleSize, ulong seed) => new(
        Metrics.Silhouette.Score(rows, labels, silhouetteSampleSize, seed),
        Metrics.DaviesBouldin.Score(rows, labels),
        Metrics.CalinskiHarabasz.Score(rows, labels));
}
