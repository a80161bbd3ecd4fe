namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Predictions for a <see cref="PredictImages"/> request.</summary>
/// <param name="ModelVersion">Version of the model that answered.</param>
/// <param name="Clusters">Cluster id per image.</param>
/// <param name="Novelty">Whether each image lies outside every cluster (empty when the model has no novelty stage).</param>
/// <param name="SiloId">The silo that answered.</param>
[GenerateSerializer, Immutable]
public sealed record ImagesPredicted(string ModelVersion, int[] Clusters, bool[] Novelty, string SiloId);
