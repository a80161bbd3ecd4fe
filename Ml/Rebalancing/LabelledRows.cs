using Distributed.Ml.Numerics;

namespace Distributed.Ml.Rebalancing;

/// <summary>Rows and their class labels, as a resampler takes and returns them.</summary>
/// <param name="Data">One row per sample, row-major.</param>
/// <param name="Labels">Class label of each row.</param>
public sealed record LabelledRows(Matrix Data, int[] Labels)
{
    /// <summary>Rows per class label, ascending by label.</summary>
    public SortedDictionary<int, long> ClassCounts() => CountClasses(Labels);

    /// <summary>Rows per class label, ascending by label.</summary>
    public static SortedDictionary<int, long> CountClasses(ReadOnlySpan<int> labels)
    {
        var counts = new SortedDictionary<int, long>();
        foreach (var label in labels)
        {
            counts[label] = counts.GetValueOrDefault(label) + 1;
        }
        return counts;
    }

    /// <summary>Checks that there is one label per row.</summary>
    internal static void Validate(Matrix data, int[] labels)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(labels);
        if (labels.Length != data.Rows)
        {
            throw new ArgumentException($"{labels.Length} labels for {data.Rows} rows.", nameof(labels));
        }
    }
}
