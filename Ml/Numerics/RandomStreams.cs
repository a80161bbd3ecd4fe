namespace Distributed.Ml.Numerics;

/// <summary>
/// Stream identifiers mixed into <see cref="Rng.Derive(ulong, ulong[])"/> so that different uses
/// of one user seed never share a random sequence.
/// </summary>
public static class RandomStreams
{
    /// <summary>Restart <c>i</c> of an iterative estimator (k-means, GMM).</summary>
    public const ulong Restart = 1;
    /// <summary>Tree <c>i</c> of a random forest.</summary>
    public const ulong Tree = 2;
    /// <summary>Sampling for metrics (silhouette) and bin edges.</summary>
    public const ulong Sample = 3;
    /// <summary>Train / held-out split.</summary>
    public const ulong Split = 4;
    /// <summary>Mini-batch order.</summary>
    public const ulong MiniBatch = 5;
    /// <summary>Feature extractor fitting.</summary>
    public const ulong Features = 6;
    /// <summary>Neighbour search (NN-descent trees, fill and candidate sampling).</summary>
    public const ulong Neighbors = 7;
    /// <summary>Embedding initialisation (UMAP's spectral noise or random start).</summary>
    public const ulong Embedding = 8;
    /// <summary>Embedding layout optimisation (UMAP's negative sampling).</summary>
    public const ulong Layout = 9;
    /// <summary>Placing new rows into a fitted embedding (UMAP's transform, one stream per row).</summary>
    public const ulong Transform = 10;
    /// <summary>Rows an estimator fits on when the data exceed its exact limit (agglomerative clustering's sample).</summary>
    public const ulong Subsample = 11;
    /// <summary>Rebalancing: SMOTE's choice of row, neighbour and step (one sub-stream per class) and its neighbour searches.</summary>
    public const ulong Rebalancing = 12;
    /// <summary>Semi-supervised learning: which rows' labels are known, and label spreading's neighbour search.</summary>
    public const ulong SemiSupervised = 13;

    /// <summary>The run report: which images its scatter plots and galleries show.</summary>
    public const ulong Report = 14;

    /// <summary>Self-labelling: the CNN's weights, batch order and augmentation.</summary>
    public const ulong Refinement = 15;
}
