namespace Distributed.Ml.Forest;

/// <summary>
/// One fitted classification tree as flat arrays. Internal node i tests
/// <c>x[Feature[i]] ≤ Threshold[i]</c> and goes to <c>Left[i]</c> or <c>Right[i]</c>; a leaf has
/// <c>Feature[i] = −1</c> and <c>Left[i]</c> indexes its class distribution in <see cref="LeafValues"/>.
/// </summary>
public sealed class DecisionTree
{
    /// <summary>Creates a tree from its arrays (validated).</summary>
    public DecisionTree(int[] feature, float[] threshold, int[] left, int[] right, float[] leafValues, int classCount)
    {
        Feature = feature;
        Threshold = threshold;
        Left = left;
        Right = right;
        LeafValues = leafValues;
        ClassCount = classCount;
        Validate();
    }

    /// <summary>Feature tested at each node, −1 at leaves.</summary>
    public int[] Feature { get; }

    /// <summary>Threshold at each internal node.</summary>
    public float[] Threshold { get; }

    /// <summary>Left child of internal nodes; leaf index at leaves.</summary>
    public int[] Left { get; }

    /// <summary>Right child of internal nodes.</summary>
    public int[] Right { get; }

    /// <summary>Class distribution of each leaf, row-major leaves × classes.</summary>
    public float[] LeafValues { get; }

    /// <summary>Number of classes.</summary>
    public int ClassCount { get; }

    /// <summary>Number of nodes.</summary>
    public int NodeCount => Feature.Length;

    /// <summary>Depth of the deepest leaf (a lone root has depth 0).</summary>
    public int Depth
    {
        get
        {
            var depth = new int[NodeCount];
            var max = 0;
            for (var i = 0; i < NodeCount; i++)
            {
                if (Feature[i] >= 0)
                {
                    depth[Left[i]] = depth[i] + 1;
                    depth[Right[i]] = depth[i] + 1;
                    max = Math.Max(max, depth[i] + 1);
                }
            }
            return max;
        }
    }

    /// <summary>Offset in <see cref="LeafValues"/> of the leaf reached by <paramref name="row"/>.</summary>
    public int LeafOffset(ReadOnlySpan<float> row)
    {
        var node = 0;
        var feature = Feature;
        while (feature[node] >= 0)
        {
            node = row[feature[node]] <= Threshold[node] ? Left[node] : Right[node];
        }
        return Left[node] * ClassCount;
    }

    private void Validate()
    {
        var n = Feature.Length;
        if (n == 0 || Threshold.Length != n || Left.Length != n || Right.Length != n || ClassCount < 1 || LeafValues.Length % ClassCount != 0)
        {
            throw new ArgumentException("Tree arrays have inconsistent lengths.");
        }
        var leaves = LeafValues.Length / ClassCount;
        for (var i = 0; i < n; i++)
        {
            // Children always come after their parent, which also rules out cycles.
            var ok = Feature[i] >= 0
                ? Left[i] > i && Left[i] < n && Right[i] > i && Right[i] < n
                : Feature[i] == -1 && Left[i] >= 0 && Left[i] < leaves;
            if (!ok)
            {
                throw new ArgumentException($"Tree node {i} has invalid links.");
            }
        }
    }
}
