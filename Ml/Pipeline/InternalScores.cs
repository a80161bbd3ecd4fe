using Distributed.Ml.Numerics;

namespace Distributed.Ml.Pipeline;

/// <summary>Silhouette (seeded sample), Davies–Bouldin and Calinski–Harabasz of one labelling; noise rows (−1) are left out of all three.</summary>
/// <param name="Silhouette">Mean silhouette (higher is better).</param>
/// <param name="DaviesBouldin">Davies–Bouldin index (lower is better).</param>
/// <param name="CalinskiHarabasz">Calinski–Harabasz index (higher is better).</param>
public sealed record InternalScores(double Silhouette, double DaviesBouldin, double CalinskiHarabasz)
{
    /// <summary>Scores <paramref name="labels"/> on <paramref name="rows"/>; the silhouette on a sample of <paramref name="silhouetteSampleSize"/> rows drawn by <paramref name="seed"/>.</summary>
    public static InternalScores Compute(Matrix rows, int[] labels, int silhouetteSampleSize, ulong seed) => new(
        Metrics.Silhouette.Score(rows, labels, silhouetteSampleSize, seed),
        Metrics.DaviesBouldin.Score(rows, labels),
        Metrics.CalinskiHarabasz.Score(rows, labels));
}
