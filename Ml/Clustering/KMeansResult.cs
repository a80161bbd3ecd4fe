namespace Distributed.Ml.Clustering;

/// <summary>A fitted k-means model and the training rows' labels (equal to <c>Model.Predict(data)</c>).</summary>
/// <param name="Model">The fitted centres.</param>
/// <param name="Labels">Cluster of each training row.</param>
public sealed record KMeansResult(KMeansModel Model, int[] Labels);
