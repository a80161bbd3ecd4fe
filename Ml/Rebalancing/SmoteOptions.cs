namespace Distributed.Ml.Rebalancing;

/// <summary>Options for <see cref="Smote"/> (defaults follow imbalanced-learn's <c>SMOTE</c>).</summary>
public sealed record SmoteOptions
{
    /// <summary>
    /// Same-class neighbours a synthetic row may be drawn towards (imblearn's <c>k_neighbors</c>).
    /// A class with fewer rows uses all of its other rows. Default 5.
    /// </summary>
    public int Neighbors { get; init; } = 5;

    /// <summary>Seed of the neighbour searches and of every row, neighbour and step drawn. Default 42.</summary>
    public ulong Seed { get; init; } = 42;
}
