namespace Distributed.Ml.Clustering;

/// <summary>Options for <see cref="KMeans"/> (defaults follow scikit-learn's <c>KMeans</c> where it has one).</summary>
public sealed record KMeansOptions
{
    /// <summary>Number of clusters k. Default 10.</summary>
    public int Clusters { get; init; } = 10;

    /// <summary>Independent k-means++ restarts; the lowest inertia wins. Default 10 (scikit-learn's classic n_init).</summary>
    public int Restarts { get; init; } = 10;

    /// <summary>Maximum Lloyd iterations per restart. Default 300.</summary>
    public int MaxIterations { get; init; } = 300;

    /// <summary>
    /// Convergence tolerance, relative to the data: iterations stop when the squared centre shift
    /// summed over clusters is at most <c>Tolerance × mean per-feature variance</c>. Default 1e-4.
    /// </summary>
    public double Tolerance { get; init; } = 1e-4;

    /// <summary>Seed for every random choice. Default 42.</summary>
    public ulong Seed { get; init; } = 42;
}
