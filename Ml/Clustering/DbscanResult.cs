namespace Distributed.Ml.Clustering;

/// <summary>A fitted DBSCAN model and the training rows' labels (−1 for noise).</summary>
/// <param name="Model">Core rows, their clusters and the radius used.</param>
/// <param name="Labels">Cluster of each training row in scikit-learn's numbering, or −1 for noise.</param>
public sealed record DbscanResult(DbscanModel Model, int[] Labels);
