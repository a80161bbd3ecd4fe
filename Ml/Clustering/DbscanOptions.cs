namespace Distributed.Ml.Clustering;

/// <summary>Options for <see cref="Dbscan"/> (scikit-learn's <c>DBSCAN</c> semantics and default min_samples).</summary>
public sealed record DbscanOptions
{
    /// <summary>
    /// Neighbourhood radius (Euclidean, inclusive). Default null: chosen from the k-distance curve
    /// by <see cref="KDistanceKnee"/> and reported in <see cref="DbscanModel.Eps"/>.
    /// </summary>
    public double? Eps { get; init; }

    /// <summary>
    /// Rows within <see cref="Eps"/> of a row, the row itself included, for it to be a core row.
    /// Default 5 (scikit-learn's).
    /// </summary>
    public int MinSamples { get; init; } = 5;
}
