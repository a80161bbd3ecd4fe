using Distributed.Ml.Numerics;

namespace Distributed.Ml.SemiSupervised;

/// <summary>A seeded choice of which rows' labels are treated as known for semi-supervised learning.</summary>
public static class KnownLabels
{
    /// <summary>
    /// Keeps the labels of a seeded <paramref name="fraction"/> of the rows (rounded, at least one)
    /// and marks every other row <see cref="LabelSpreading.Unknown"/>. Deterministic for a seed.
    /// </summary>
    public static int[] Choose(int[] labels, double fraction, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(labels);
        if (fraction is <= 0 or > 1)
        {
            throw new OptionsException($"{{0}} must be in (0, 1], got {fraction}", PipelineSetting.KnownFraction);
        }
        var count = Math.Clamp((int)Math.Round(labels.Length * fraction), 1, labels.Length);
        var chosen = Rng.Derive(seed, RandomStreams.SemiSupervised).SampleWithoutReplacement(labels.Length, count);
        var masked = new int[labels.Length];
        Array.Fill(masked, LabelSpreading.Unknown);
        foreach (var row in chosen)
        {
            masked[row] = labels[row];
        }
        return masked;
    }
}
