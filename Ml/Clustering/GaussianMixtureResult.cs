namespace Distributed.Ml.Clustering;

/// <summary>A fitted Gaussian mixture and the training rows' labels (equal to <c>Model.Predict(data)</c>).</summary>
/// <param name="Model">The fitted mixture.</param>
/// <param name="Labels">Most probable component of each training row.</param>
public sealed record GaussianMixtureResult(GaussianMixtureModel Model, int[] Labels);
