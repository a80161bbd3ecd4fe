namespace Distributed.Ml.Forest;

/// <summary>Options for <see cref="RandomForest"/> (defaults follow scikit-learn's <c>RandomForestClassifier</c>).</summary>
public sealed record RandomForestOptions
{
    /// <summary>Number of trees. Default 100.</summary>
    public int Trees { get; init; } = 100;

    /// <summary>Maximum depth; 0 grows until leaves are pure or too small. Default 0.</summary>
    public int MaxDepth { get; init; }

    /// <summary>Minimum (bootstrap-weighted) rows in a leaf. Default 1.</summary>
    public int MinSamplesLeaf { get; init; } = 1;

    /// <summary>Minimum (bootstrap-weighted) rows for a node to be split. Default 2.</summary>
    public int MinSamplesSplit { get; init; } = 2;

    /// <summary>Features considered per split; 0 means ⌊√d⌋. Default 0.</summary>
    public int MaxFeatures { get; init; }

    /// <summary>Impurity measure. Default Gini.</summary>
    public SplitCriterion Criterion { get; init; } = SplitCriterion.Gini;

    /// <summary>
    /// Quantile bins per feature (at most 256); split thresholds are chosen among bin edges, which
    /// makes a split O(rows) instead of O(rows log rows). Default 255.
    /// </summary>
    public int MaxBins { get; init; } = 255;

    /// <summary>Rows sampled to place the bin edges. Default 200,000.</summary>
    public int BinningSampleSize { get; init; } = 200_000;

    /// <summary>Draw a bootstrap sample per tree. Default true.</summary>
    public bool Bootstrap { get; init; } = true;

    /// <summary>Compute the out-of-bag accuracy after fitting (needs <see cref="Bootstrap"/>). Default true.</summary>
    public bool OutOfBagScore { get; init; } = true;

    /// <summary>Seed for every random choice; tree t draws from (seed, t). Default 42.</summary>
    public ulong Seed { get; init; } = 42;
}
