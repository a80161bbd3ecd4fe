using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Forest;

/// <summary>A fitted random forest: its trees, class labels, feature importances and out-of-bag score.</summary>
public sealed class RandomForestModel
{
    /// <summary>Kind tag in the serialised form.</summary>
    public const string Kind = "random-forest";
    private const int FormatVersion = 1;
    private const int PredictBlockRows = 1024;

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

    /// <summary>Class probabilities of one row (mean of the trees' leaf distributions).</summary>
    public void PredictProba(ReadOnlySpan<float> row, Span<float> probabilities)
    {
        if (row.Length != FeatureCount || probabilities.Length != Classes.Length)
        {
            throw new ArgumentException($"Expected {FeatureCount} features and room for {Classes.Length} probabilities.");
        }
        probabilities.Clear();
        foreach (var tree in Trees)
        {
            var offset = tree.LeafOffset(row);
            System.Numerics.Tensors.TensorPrimitives.Add(probabilities, tree.LeafValues.AsSpan(offset, Classes.Length), probabilities);
        }
        System.Numerics.Tensors.TensorPrimitives.Multiply(probabilities, 1f / Trees.Length, probabilities);
    }

    /// <summary>Class probabilities of every row, row-major rows × classes.</summary>
    public Matrix PredictProba(Matrix rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Cols != FeatureCount)
        {
            throw new ArgumentException($"The forest expects {FeatureCount} features, got {rows.Cols}.", nameof(rows));
        }
        var result = new Matrix(rows.Rows, Classes.Length);
        var blocks = (rows.Rows + PredictBlockRows - 1) / PredictBlockRows;
        Parallel.For(0, blocks, b =>
        {
            var end = Math.Min(rows.Rows, (b + 1) * PredictBlockRows);
            for (var i = b * PredictBlockRows; i < end; i++)
            {
                PredictProba(rows.Row(i), result.Row(i));
            }
        });
        return result;
    }

    /// <summary>Most probable class label of every row (ties to the smaller label).</summary>
    public int[] Predict(Matrix rows) => ArgMax(PredictProba(rows));

    /// <summary>The label of the most probable class in each row of a probability matrix.</summary>
    public int[] ArgMax(Matrix probabilities)
    {
        ArgumentNullException.ThrowIfNull(probabilities);
        var labels = new int[probabilities.Rows];
        for (var i = 0; i < labels.Length; i++)
        {
            labels[i] = Classes[System.Numerics.Tensors.TensorPrimitives.IndexOfMax(probabilities.Row(i))];
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
