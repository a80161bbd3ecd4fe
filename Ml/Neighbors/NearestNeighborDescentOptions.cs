namespace Distributed.Ml.Neighbors;

/// <summary>Options for <see cref="NearestNeighborDescent"/> (defaults follow pynndescent as umap-learn calls it).</summary>
public sealed record NearestNeighborDescentOptions
{
    /// <summary>Neighbours per point, k (the point itself not counted). Default 15.</summary>
    public int Neighbors { get; init; } = 15;

    /// <summary>
    /// Random projection trees for the initial lists; 0 = automatic, umap-learn's
    /// <c>min(64, 5 + round(√n / 20))</c>. Default 0.
    /// </summary>
    public int Trees { get; init; }

    /// <summary>Largest tree leaf; 0 = automatic, <c>max(10, k)</c>. Default 0.</summary>
    public int LeafSize { get; init; }

    /// <summary>Upper bound on NN-descent rounds; 0 = automatic, <c>max(5, round(log₂ n))</c>. Default 0.</summary>
    public int MaxIterations { get; init; }

    /// <summary>
    /// Largest new (and old) candidate sample per point and round: the original paper's ρ·k.
    /// 0 = automatic, <c>min(60, max(2k, 20))</c>; larger means better recall for more distance work. Default 0.
    /// </summary>
    public int MaxCandidates { get; init; }

    /// <summary>Stop once a round changes at most <c>Delta·k·n</c> list entries. Default 0.001.</summary>
    public double Delta { get; init; } = 0.001;

    /// <summary>Seed for the trees, the random fill and the candidate sampling. Default 42.</summary>
    public ulong Seed { get; init; } = 42;
}
