namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Predictions for a <see cref="PredictImages"/> request: what the HTTP API answers, in Orleans' types.</summary>
/// <param name="ModelVersion">Version of the model that answered.</param>
/// <param name="Clusters">Cluster id per image.</param>
/// <param name="Probabilities">Images × <see cref="ClusterIds"/> probabilities, row-major: column j is cluster <c>ClusterIds[j]</c>.</param>
/// <param name="ClusterIds">The clusters the probability columns stand for.</param>
/// <param name="Novelty">Whether each image lies outside every cluster (empty when the model has no novelty stage).</param>
/// <param name="SiloId">The silo that answered.</param>
[GenerateSerializer, Immutable]
public sealed record ImagesPredicted(string ModelVersion, int[] Clusters, float[] Probabilities, int[] ClusterIds, bool[] Novelty, string SiloId);
