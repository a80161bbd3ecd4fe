namespace Distributed.Ml.SemiSupervised;

/// <summary>Options for <see cref="LabelSpreading"/> (defaults follow scikit-learn's <c>LabelSpreading(kernel='knn')</c>).</summary>
public sealed record LabelSpreadingOptions
{
    /// <summary>Neighbours per row in the kNN kernel, the row itself included (scikit-learn's <c>n_neighbors</c>). Default 7.</summary>
    public int Neighbors { get; init; } = 7;

    /// <summary>
    /// Clamping factor in (0, 1): the share of a row's label distribution taken from its
    /// neighbours each iteration; the rest comes from its initial label. Default 0.2.
    /// </summary>
    public double Alpha { get; init; } = 0.2;

    /// <summary>Maximum iterations. Default 30.</summary>
    public int MaxIterations { get; init; } = 30;

    /// <summary>Stop when the summed absolute change of all label distributions falls below this. Default 1e-3.</summary>
    public double Tolerance { get; init; } = 1e-3;

    /// <summary>Seed of the neighbour search (NN-descent above <see cref="Neighbors.NeighborSearch.ExactThreshold"/> rows). Default 42.</summary>
    public ulong Seed { get; init; } = 42;
}
