namespace Distributed.Ml.Clustering;

/// <summary>A fitted agglomerative clustering and the training rows' labels.</summary>
/// <param name="Model">Cluster centroids (for nearest-centroid prediction) and how the fit was made.</param>
/// <param name="Labels">
/// Cluster of each training row: the tree's cut for the rows it was built on, the nearest centroid
/// for the rest (only when the data exceeded <see cref="AgglomerativeOptions.MaxExactRows"/>).
/// </param>
public sealed record AgglomerativeResult(AgglomerativeModel Model, int[] Labels);
