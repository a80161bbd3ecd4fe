using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Serving;

/// <summary>
/// Predictions in the words of a named model: a label per image, and the probability of each
/// label, where clusters that share a name add up (two styles of "seven" make one "seven").
/// </summary>
/// <param name="Labels">Label of each image's cluster (its name, its id when it has none, "noise" for −1).</param>
/// <param name="Names">The distinct labels, in the order of the clusters' first appearance among the probability columns.</param>
/// <param name="Probabilities">Per image, the probability of each label in <paramref name="Names"/>.</param>
public sealed record ClusterLabels(string[] Labels, string[] Names, float[][] Probabilities)
{
    /// <summary>The label of noise (cluster −1).</summary>
    public const string Noise = "noise";

    /// <summary>The labels of a prediction, or null when the model has no names.</summary>
    public static ClusterLabels? Of(PipelinePrediction prediction, IReadOnlyDictionary<int, string>? names)
    {
        ArgumentNullException.ThrowIfNull(prediction);
        if (names is null)
        {
            return null;
        }
        var columnNames = Array.ConvertAll(prediction.ClusterIds, id => NameOf(id, names));
        var distinct = columnNames.Distinct(StringComparer.Ordinal).ToArray();
        var index = distinct.Select((name, i) => (name, i)).ToDictionary(p => p.name, p => p.i, StringComparer.Ordinal);
        var probabilities = new float[prediction.Clusters.Length][];
        for (var row = 0; row < probabilities.Length; row++)
        {
            var sums = new float[distinct.Length];
            var columns = prediction.Probabilities.Row(row);
            for (var c = 0; c < columns.Length; c++)
            {
                sums[index[columnNames[c]]] += columns[c];
            }
            probabilities[row] = sums;
        }
        return new ClusterLabels(LabelsOf(prediction.Clusters, names), distinct, probabilities);
    }

    /// <summary>Each image's label alone, without the per-label probabilities.</summary>
    public static string[] LabelsOf(int[] clusters, IReadOnlyDictionary<int, string> names) => Array.ConvertAll(clusters, id => NameOf(id, names));

    /// <summary>A cluster's label: its name, or its id when it has none.</summary>
    public static string NameOf(int cluster, IReadOnlyDictionary<int, string> names) =>
        cluster < 0 ? Noise : names.TryGetValue(cluster, out var name) ? name : cluster.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
