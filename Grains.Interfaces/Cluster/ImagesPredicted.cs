namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Predictions for a <see cref="PredictImages"/> request: what the HTTP API answers, in Orleans' types.</summary>
/// <param name="ModelVersion">Version of the model that answered.</param>
/// <param name="Clusters">Cluster id per image.</param>
/// <param name="Probabilities">Images × <see cref="ClusterIds"/> probabilities, row-major: column j is cluster <c>ClusterIds[j]</c>.</param>
/// <param name="ClusterIds">The clusters the probability columns stand for.</param>
/// <param name="Novelty">Whether each image lies outside every cluster (empty when the model has no novelty stage).</param>
/// <param name="SiloId">The silo that answered.</param>
/// <param name="ClusterNames">The model's cluster names by id (given with <c>name</c>); null when it has none.</param>
/// <param name="Labels">Per image, its cluster's name (its id when unnamed, "noise" for −1); null when the model has no names.</param>
[GenerateSerializer, Immutable]
public sealed record ImagesPredicted(string ModelVersion, int[] Clusters, float[] Probabilities, int[] ClusterIds, bool[] Novelty, string SiloId,
    Dictionary<int, string>? ClusterNames, string[]? Labels);
