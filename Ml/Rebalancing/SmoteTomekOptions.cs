namespace Distributed.Ml.Rebalancing;

/// <summary>Options for <see cref="SmoteTomek"/> (defaults follow imbalanced-learn's <c>SMOTETomek</c>).</summary>
public sealed record SmoteTomekOptions
{
    /// <summary>SMOTE's neighbours per row (imblearn's <c>k_neighbors</c>). Default 5.</summary>
    public int Neighbors { get; init; } = 5;

    /// <summary>Seed of SMOTE's draws and of both neighbour searches. Default 42.</summary>
    public ulong Seed { get; init; } = 42;
}
