using System.Numerics.Tensors;
using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Forest;

/// <summary>A fitted random forest: its trees, class labels, feature importances and out-of-bag score.</summary>
public sealed class RandomForestModel
{
    /// <summary>Kind tag in the serialised form.</summary>
    public const string Kind = "random-forest";
    private const int FormatVersion = 1;

    // Probabilities of one block of rows fit on the stack up to this many values.
    private const int StackFloats = 8192;

    // Built on first prediction: the trees in the layout prediction wants.
    private PackedForest? _packed;

    /// <summary>Creates a model from fitted trees.</summary>
    public RandomForestModel(int[] classes, int featureCount, DecisionTree[] trees, double[] featureImportances, double outOfBagScore)
    {
        ArgumentNullException.ThrowIfNull(classes);
        ArgumentNullException.ThrowIfNull(trees);
        if (trees.Length == 0 || classes.Length == 0)
        {
            throw new ArgumentException("A forest needs at least one tree and one class.");
        }
        foreach (var tree in trees)
        {
            if (tree.ClassCount != classes.Length || tree.Feature.Any(f => f >= featureCount))
            {
                throw new ArgumentException("A tree disagrees with the forest's classes or features.", nameof(trees));
            }
        }
        Classes = classes;
        FeatureCount = featureCount;
        Trees = trees;
        FeatureImportances = featureImportances;
        OutOfBagScore = outOfBagScore;
    }

    /// <summary>Original class label of each probability column, ascending.</summary>
    public int[] Classes { get; }

    /// <summary>Columns expected on input.</summary>
    public int FeatureCount { get; }

    /// <summary>The trees.</summary>
    public DecisionTree[] Trees { get; }

    /// <summary>Mean impurity decrease per feature, summing to 1.</summary>
    public double[] FeatureImportances { get; }

    /// <summary>Out-of-bag accuracy, NaN when not computed.</summary>
    public double OutOfBagScore { get; }

    /// <summary>Total nodes over all trees.</summary>
    public long NodeCount => Trees.Sum(t => (long)t.NodeCount);

    internal RandomForestModel WithOutOfBagScore(double score) => new(Classes, FeatureCount, Trees, FeatureImportances, score);

    private PackedForest Packed => Volatile.Read(ref _packed) ?? Pack();

    /// <summary>Class probabilities of one row (mean of the trees' leaf distributions).</summary>
    public void PredictProba(ReadOnlySpan<float> row, Span<float> probabilities)
    {
        if (row.Length != FeatureCount || probabilities.Length != Classes.Length)
        {
            throw new ArgumentException($"Expected {FeatureCount} features and room for {Classes.Length} probabilities.");
        }
        Packed.Predict(row, probabilities);
    }

    /// <summary>Class probabilities of every row, row-major rows × classes.</summary>
    /// <remarks>
    /// Rows go in fixed blocks (in parallel when there are several), each block down one tree
    /// after another; every row's sum is still formed in tree order, so the result does not
    /// depend on the blocks or the threads.
    /// </remarks>
    public Matrix PredictProba(Matrix rows)
    {
        CheckColumns(rows);
        var result = new Matrix(rows.Rows, Classes.Length);
        var packed = Packed;
        ForEachBlock(rows.Rows, (start, count) => packed.Predict(rows, start, count, result.RowBlock(start, count)));
        return result;
    }

    /// <summary>Most probable class label of every row (ties to the smaller label).</summary>
    public int[] Predict(Matrix rows)
    {
        CheckColumns(rows);
        var labels = new int[rows.Rows];
        if (rows.Rows <= PackedForest.BlockRows)
        {
            // One block (a single row included): no delegate, no allocation but the labels.
            PredictBlock(Packed, rows, 0, rows.Rows, labels);
        }
        else
        {
            PredictBlocks(rows, labels);
        }
        return labels;
    }

    // Separate from Predict so that its closure is only allocated when there are several blocks.
    private void PredictBlocks(Matrix rows, int[] labels)
    {
        var packed = Packed;
        ForEachBlock(rows.Rows, (start, count) => PredictBlock(packed, rows, start, count, labels));
    }

    /// <summary>Labels of rows [start, start+count): probabilities only live per block, never as a rows × classes matrix.</summary>
    private void PredictBlock(PackedForest packed, Matrix rows, int start, int count, int[] labels)
    {
        var classes = Classes.Length;
        var size = count * classes;
        var probabilities = size <= StackFloats ? stackalloc float[size] : new float[size];
        packed.Predict(rows, start, count, probabilities);
        for (var r = 0; r < count; r++)
        {
            labels[start + r] = Classes[TensorPrimitives.IndexOfMax(probabilities.Slice(r * classes, classes))];
        }
    }

    private void CheckColumns(Matrix rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Cols != FeatureCount)
        {
            throw new ArgumentException($"The forest expects {FeatureCount} features, got {rows.Cols}.", nameof(rows));
        }
    }

    /// <summary>Runs <paramref name="block"/> on fixed blocks of rows: inline for one block, in parallel otherwise.</summary>
    private static void ForEachBlock(int rows, Action<int, int> block)
    {
        var blocks = (rows + PackedForest.BlockRows - 1) / PackedForest.BlockRows;
        if (blocks <= 1)
        {
            block(0, rows);
            return;
        }
        Parallel.For(0, blocks, b =>
        {
            var start = b * PackedForest.BlockRows;
            block(start, Math.Min(PackedForest.BlockRows, rows - start));
        });
    }

    private PackedForest Pack()
    {
        var packed = PackedForest.Build(Trees, Classes.Length);
        return Interlocked.CompareExchange(ref _packed, packed, null) ?? packed;
    }

    /// <summary>The label of the most probable class in each row of a probability matrix.</summary>
    public int[] ArgMax(Matrix probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        var labels = new int[probabilities.Rows];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = Classes[TensorPrimitives.IndexOfMax(probabilities.Row(i))];
        }
        return labels;
    }

    /// <summary>Serialises the forest.</summary>
    public void Save(Stream stream)
    {
        using var writer = new ModelWriter(stream, Kind, FormatVersion);
        writer.Write(FeatureCount);
        writer.Write(Classes);
        writer.Write(FeatureImportances);
        writer.Write(OutOfBagScore);
        writer.Write(Trees.Length);
        foreach (var tree in Trees)
        {
            writer.Write(tree.Feature);
            writer.Write(tree.Threshold);
            writer.Write(tree.Left);
            writer.Write(tree.Right);
            writer.Write(tree.LeafValues);
        }
    }

    /// <summary>Reads a forest written by <see cref="Save"/>.</summary>
    /// <exception cref="ModelFormatException">Corrupted or foreign data.</exception>
    public static RandomForestModel Load(Stream stream)
    {
        using var reader = new ModelReader(stream, Kind, FormatVersion);
        var featureCount = reader.ReadInt32();
        ModelReader.Require(featureCount > 0, $"{featureCount} features");
        var classes = reader.ReadInt32s();
        var importances = reader.ReadDoubles(featureCount);
        var oob = reader.ReadDouble();
        var treeCount = reader.ReadInt32();
        ModelReader.Require(treeCount > 0 && classes.Length > 0, $"{treeCount} trees, {classes.Length} classes");
        var trees = new DecisionTree[treeCount];
        for (var t = 0; t < treeCount; t++)
        {
            var feature = reader.ReadInt32s();
            var threshold = reader.ReadSingles(feature.Length);
            var left = reader.ReadInt32s(feature.Length);
            var right = reader.ReadInt32s(feature.Length);
            var leafValues = reader.ReadSingles();
            try
            {
                trees[t] = new DecisionTree(feature, threshold, left, right, leafValues, classes.Length);
            }
            catch (ArgumentException e)
            {
                throw new ModelFormatException($"inconsistent model: tree {t}: {e.Message}", e);
            }
        }
        try
        {
            return new RandomForestModel(classes, featureCount, trees, importances, oob);
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException($"inconsistent model: {e.Message}", e);
        }
    }
}
