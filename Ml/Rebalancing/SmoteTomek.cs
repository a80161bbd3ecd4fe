using Distributed.Ml.Numerics;

namespace Distributed.Ml.Rebalancing;

/// <summary>
/// SMOTE then Tomek-link cleaning (Batista et al. 2004), as imbalanced-learn's <c>SMOTETomek</c>
/// with its defaults: <see cref="Smote"/> brings every class up to the largest one, then both
/// members of every Tomek link of the over-sampled set are removed (<see cref="TomekLinks"/>).
/// </summary>
/// <remarks>
/// Both steps search neighbours with <see cref="Neighbors.NeighborSearch"/> (exact on small sets,
/// NN-descent on large ones) instead of imblearn's exact search, so the cost is near-linear in the
/// rows. Deterministic for a seed.
/// </remarks>
public static class SmoteTomek
{
    /// <summary>Sub-stream of <see cref="RandomStreams.Rebalancing"/> for the Tomek-link search (SMOTE uses 0 and 1).</summary>
    private const ulong TomekPurpose = 2;

    /// <summary>Over-samples with SMOTE, then removes the Tomek links.</summary>
    public static SmoteTomekResult Resample(Matrix data, int[] labels, SmoteTomekOptions options)
    {
        LabelledRows.Validate(data, labels);
        ArgumentNullException.ThrowIfNull(options);
        var before = LabelledRows.CountClasses(labels);
        var smoted = Smote.Resample(data, labels, new SmoteOptions { Neighbors = options.Neighbors, Seed = options.Seed });
        var tomekSeed = Rng.Derive(options.Seed, RandomStreams.Rebalancing, TomekPurpose).NextUInt64();
        var cleaned = TomekLinks.Remove(smoted.Data, smoted.Labels, tomekSeed);
        return new SmoteTomekResult(cleaned, before, smoted.ClassCounts(), cleaned.ClassCounts());
    }
}
