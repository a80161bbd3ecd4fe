using System.Numerics.Tensors;
using Distributed.Ml.Neighbors;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Rebalancing;

/// <summary>
/// SMOTE over-sampling (Chawla et al. 2002) with imbalanced-learn's default strategy: every class
/// smaller than the largest gets synthetic rows until it is as large. A synthetic row is
/// <c>x + u·(n − x)</c> for a uniformly drawn row x of the class, n drawn uniformly among x's k
/// nearest same-class rows, and u uniform in [0, 1).
/// </summary>
/// <remarks>
/// The class's neighbour graph comes from <see cref="NeighborSearch"/>: exact below
/// <see cref="NeighborSearch.ExactThreshold"/> rows (as imblearn's), NN-descent above, where a few
/// of the k neighbours may be slightly farther ones; the class counts do not depend on it.
/// Drawing x and then one of its k neighbours is the same distribution as imblearn's uniform draw
/// of a (row, neighbour) pair. Class c draws from its own stream (seed, class index), so the
/// result is deterministic for a seed. A class of a single row cannot interpolate: its synthetic
/// rows are copies of it (imblearn refuses such a class). The output lists the original rows first,
/// in their order, then each class's synthetic rows in ascending label order (as imblearn).
/// </remarks>
public static class Smote
{
    /// <summary>Sub-streams of <see cref="RandomStreams.Rebalancing"/>.</summary>
    private const ulong DrawPurpose = 0, SearchPurpose = 1;

    /// <summary>The rows followed by the synthetic rows that bring every class up to the largest class's size.</summary>
    public static LabelledRows Resample(Matrix data, int[] labels, SmoteOptions options)
    {
        LabelledRows.Validate(data, labels);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Neighbors < 1)
        {
            throw new OptionsException($"SMOTE neighbours must be at least 1, got {options.Neighbors}");
        }
        var counts = LabelledRows.CountClasses(labels);
        var largest = counts.Count == 0 ? 0 : counts.Values.Max();
        var added = 0L;
        foreach (var count in counts.Values)
        {
            added += largest - count;
        }
        var result = new Matrix(checked((int)(data.Rows + added)), data.Cols);
        data.Data.CopyTo(result.Data, 0);
        var resultLabels = new int[result.Rows];
        labels.CopyTo(resultLabels, 0);

        var next = data.Rows;
        var classIndex = 0UL;
        foreach (var (label, count) in counts)
        {
            var missing = (int)(largest - count);
            if (missing > 0)
            {
                Synthesise(data, labels, label, missing, options, classIndex, result, next);
                resultLabels.AsSpan(next, missing).Fill(label);
                next += missing;
            }
            classIndex++;
        }
        return new LabelledRows(result, resultLabels);
    }

    /// <summary>Writes <paramref name="missing"/> synthetic rows of class <paramref name="label"/> into <paramref name="destination"/> from row <paramref name="start"/>.</summary>
    private static void Synthesise(Matrix data, int[] labels, int label, int missing, SmoteOptions options, ulong classIndex, Matrix destination, int start)
    {
        var members = new List<int>();
        for (var i = 0; i < labels.Length; i++)
        {
            if (labels[i] == label)
            {
                members.Add(i);
            }
        }
        var rows = data.SelectRows(members.ToArray());
        var rng = Rng.Derive(options.Seed, RandomStreams.Rebalancing, DrawPurpose, classIndex);
        if (rows.Rows == 1)
        {
            for (var s = 0; s < missing; s++)
            {
                rows.Row(0).CopyTo(destination.Row(start + s));
            }
            return;
        }
        var k = Math.Min(options.Neighbors, rows.Rows - 1);
        var searchSeed = Rng.Derive(options.Seed, RandomStreams.Rebalancing, SearchPurpose, classIndex).NextUInt64();
        var graph = NeighborSearch.Build(rows, k, searchSeed);
        for (var s = 0; s < missing; s++)
        {
            var row = rng.NextInt(rows.Rows);
            var neighbor = graph.IndicesOf(row)[rng.NextInt(k)];
            var step = rng.NextSingle();
            var target = destination.Row(start + s);
            // target = x + step·(n − x), as imblearn computes it.
            TensorPrimitives.Subtract(rows.Row(neighbor), rows.Row(row), target);
            TensorPrimitives.MultiplyAdd(target, step, rows.Row(row), target);
        }
    }
}
