using System.Text.Json.Nodes;
using Distributed.Ml.Numerics;

namespace Distributed.Grains.Reporting;

/// <summary>What a run report shows, gathered from the run's outputs and inputs.</summary>
/// <param name="Metrics">The run's <c>metrics.json</c>.</param>
/// <param name="Assignments">Cluster of every image (−1 for noise).</param>
/// <param name="RefinedLabels">The label the self-labelling CNN gave every image (<c>labels.npy</c>, the labels the forest learned), when the run refined its labels.</param>
/// <param name="TrueLabels">True label of every image, when labels were given.</param>
/// <param name="Sample">Indices of the seeded sample the scatter plots and galleries show, ascending.</param>
/// <param name="SamplePixels">The sample's images, 784 values in [0, 1] per row.</param>
/// <param name="Layout">The sample's 2-D UMAP coordinates, fitted on its features.</param>
/// <param name="Distance">Per sample row: distance to its cluster's centroid in feature space (NaN for noise).</param>
/// <param name="Margin">Per sample row: how much nearer its centroid is than the next (NaN for noise).</param>
/// <param name="ClusterNames">The clusters' names, given with <c>name</c>; null until then.</param>
public sealed record ReportData(JsonObject Metrics, int[] Assignments, int[]? RefinedLabels, int[]? TrueLabels, int[] Sample, Matrix SamplePixels, Matrix Layout,
    float[] Distance, float[] Margin, IReadOnlyDictionary<int, string>? ClusterNames);
