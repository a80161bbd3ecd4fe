namespace Distributed.Ml.Clustering;

/// <summary>Options for <see cref="Agglomerative"/> (defaults follow scikit-learn's <c>AgglomerativeClustering</c> where it has one).</summary>
public sealed record AgglomerativeOptions
{
    /// <summary>The default of <see cref="MaxExactRows"/>.</summary>
    public const int DefaultMaxExactRows = 20_000;

    /// <summary>Number of clusters the tree is cut into. Default 10.</summary>
    public int Clusters { get; init; } = 10;

    /// <summary>Linkage. Default Ward (scikit-learn's).</summary>
    public Linkage Linkage { get; init; } = Linkage.Ward;

    /// <summary>
    /// Largest number of rows clustered exactly. Above it the tree is built on a seeded sample of
    /// this many rows and the other rows join the nearest cluster centroid. Default 20,000: exact
    /// agglomeration is O(n²) in time (and, for average and complete linkage, in memory: a condensed
    /// float32 distance matrix of n(n−1)/2 entries, 800 MB at 20,000 rows; Ward needs only O(n·d)).
    /// </summary>
    public int MaxExactRows { get; init; } = DefaultMaxExactRows;

    /// <summary>Seed of the sample drawn above <see cref="MaxExactRows"/>. Default 42.</summary>
    public ulong Seed { get; init; } = 42;
}
