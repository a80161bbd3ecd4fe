namespace Distributed.Ml.Clustering;

/// <summary>How <see cref="Agglomerative"/> measures the distance between two clusters.</summary>
public enum Linkage
{
    /// <summary>Ward (1963): the increase in within-cluster sum of squares the merge causes.</summary>
    Ward,
    /// <summary>UPGMA: the mean distance over all cross-cluster pairs of rows.</summary>
    Average,
    /// <summary>The largest distance over all cross-cluster pairs of rows.</summary>
    Complete,
}
