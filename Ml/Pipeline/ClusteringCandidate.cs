namespace Distributed.Ml.Pipeline;

/// <summary>
/// One method tried by <see cref="ClusteringMethod.Auto"/>, with the figures the choice was made on (written to
/// metrics.json as an entry of <c>candidates</c>). Scores leave noise rows out.
/// </summary>
public sealed record ClusteringCandidate
{
    /// <summary>Method, CLI spelling.</summary>
    public required string Method { get; init; }

    /// <summary>Clusters the method produced (DBSCAN finds its own count).</summary>
    public required int NClusters { get; init; }

    /// <summary>Share of rows labelled noise (−1); 0 for methods without noise.</summary>
    public required double NoiseFraction { get; init; }

    /// <summary>Mean silhouette on the pipeline's seeded sample of non-noise rows (higher is better).</summary>
    public required double Silhouette { get; init; }

    /// <summary>Davies–Bouldin index of the non-noise rows (lower is better).</summary>
    public required double DaviesBouldin { get; init; }

    /// <summary>Calinski–Harabasz index of the non-noise rows (higher is better).</summary>
    public required double CalinskiHarabasz { get; init; }

    /// <summary>Seconds the fit took (scoring excluded).</summary>
    public required double FitS { get; init; }

    /// <summary>Whether the selection rule allowed this candidate.</summary>
    public required bool Eligible { get; init; }

    /// <summary>Why an ineligible candidate was set aside; null when eligible.</summary>
    public string? Reason { get; init; }
}
