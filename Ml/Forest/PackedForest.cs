using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Forest;

/// <summary>
/// All trees of a forest in one array of 16-byte nodes, for prediction. A step down a tree reads
/// one node (feature, threshold and both children together) instead of one value from each of
/// four arrays, and a child that is a leaf is stored as the complement of its class distribution's
/// offset in the tree's <see cref="DecisionTree.LeafValues"/>, so a descent ends without reading the
/// leaf node. Internal nodes are laid out depth-first, so a left child sits next to its parent.
/// </summary>
/// <remarks>
/// Probabilities are summed tree by tree in tree order and then scaled by 1/T, element by element,
/// exactly as <see cref="RandomForestModel.PredictProba(ReadOnlySpan{float}, Span{float})"/> did one
/// row at a time, so the results are bit-identical; only the order of the loops differs.
/// </remarks>
internal sealed class PackedForest
{
    /// <summary>Rows that descend one tree before the next tree is taken: the top of each tree stays in cache.</summary>
    public const int BlockRows = 512;

    // Node's layout is sequential: Feature, Threshold, then Left and Right, so the children are ints 2 and 3.
    private const int ChildrenOffset = 2;

    // Leaf codes from here up are pure leaves (see LeafCode); offsets stay below.
    private const int PureLeaf = 1 << 30;

    private readonly Node[] _nodes;
    private readonly int[] _roots;
    private readonly float[][] _values;

    private PackedForest(Node[] nodes, int[] roots, float[][] values, int classes)
    {
        _nodes = nodes;
        _roots = roots;
        _values = values;
        Classes = classes;
    }

    /// <summary>Number of classes.</summary>
    public int Classes { get; }

    /// <summary>Number of trees.</summary>
    public int Trees => _roots.Length;

    /// <summary>Packs the trees (validated <see cref="DecisionTree"/>s of the same class count).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static PackedForest Build(IReadOnlyList<DecisionTree> trees, int classes)
    {
        var internalNodes = 0;
        var largest = 0;
        foreach (var tree in trees)
        {
            internalNodes += tree.NodeCount - tree.LeafValues.Length / classes;
            largest = Math.Max(largest, tree.NodeCount);
        }
        var nodes = new Node[internalNodes];
        var roots = new int[trees.Count];
        var values = new float[trees.Count][];
        var index = new int[largest];
        var stack = new int[largest];
        var next = 0;
        for (var t = 0; t < trees.Count; t++)
        {
            var tree = trees[t];
            // Internal nodes in depth-first preorder, so a left child sits next to its parent
            // (often in the same cache line); leaves become offsets into the values.
            var depth = 0;
            stack[depth++] = 0;
            while (depth > 0)
            {
                var i = stack[--depth];
                if (tree.Feature[i] < 0)
                {
                    index[i] = ~LeafCode(tree.LeafValues.AsSpan(tree.Left[i] * classes, classes), tree.Left[i] * classes);
                    continue;
                }
                index[i] = next++;
                stack[depth++] = tree.Right[i];
                stack[depth++] = tree.Left[i];
            }
            for (var i = 0; i < tree.NodeCount; i++)
            {
                if (tree.Feature[i] >= 0)
                {
                    nodes[index[i]] = new Node(tree.Feature[i], tree.Threshold[i], index[tree.Left[i]], index[tree.Right[i]]);
                }
            }
            roots[t] = index[0];
            values[t] = tree.LeafValues;
        }
        return new PackedForest(nodes, roots, values, classes);
    }

    /// <summary>
    /// How a leaf is stored: <see cref="PureLeaf"/> + c when its distribution is all class c (1 there,
    /// 0 elsewhere: a fully grown tree's leaves nearly all are), otherwise the offset of its values.
    /// Adding a pure leaf is adding 1 to one class: the zeros it skips would not change any sum.
    /// </summary>
    private static int LeafCode(ReadOnlySpan<float> values, int offset)
    {
        var only = -1;
        for (var c = 0; c < values.Length; c++)
        {
            if (values[c] == 0f && !float.IsNegative(values[c]))
            {
                continue;
            }
            if (only >= 0 || values[c] != 1f)
            {
                return offset;
            }
            only = c;
        }
        return only >= 0 ? PureLeaf + only : offset;
    }

    /// <summary>Adds the leaf stored as <paramref name="code"/> (see <see cref="LeafCode"/>) to a row's sums.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void AddLeaf(Span<float> sum, float[] values, int code)
    {
        if (code >= PureLeaf)
        {
            sum[code - PureLeaf] += 1f;
        }
        else
        {
            Add(sum, values.AsSpan(code, sum.Length));
        }
    }

    /// <summary>Code (see <see cref="LeafCode"/>) of the leaf of tree <paramref name="tree"/> that <paramref name="row"/> reaches.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public int Leaf(int tree, ReadOnlySpan<float> row)
    {
        var node = _roots[tree];
        var nodes = _nodes;
        while (node >= 0)
        {
            ref readonly var n = ref nodes[node];
            node = row[n.Feature] <= n.Threshold ? n.Left : n.Right;
        }
        return ~node;
    }

    /// <summary>Class probabilities of one row into <paramref name="probabilities"/> (length <see cref="Classes"/>).</summary>
    /// <remarks>
    /// Eight trees descend together, as eight rows do in the batch form: a lone served image's
    /// forest took 17–19 µs one tree after another with its nodes out of cache (between requests
    /// other work evicts them), waiting on one chain of dependent loads at a time. The leaves are
    /// still added in tree order.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Predict(ReadOnlySpan<float> row, Span<float> probabilities)
    {
        probabilities.Clear();
        AddTrees(row, probabilities);
        Scale(probabilities, 1f / Trees);
    }

    /// <summary>Adds every tree's leaf for <paramref name="row"/> to <paramref name="sum"/>, in tree order, eight trees descending at once.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private void AddTrees(ReadOnlySpan<float> row, Span<float> sum)
    {
        // Unchecked indexing: Build produced every child index, the model checked every feature
        // index against its feature count, and the caller checked the row's length.
        ref var nodes = ref MemoryMarshal.GetArrayDataReference(_nodes);
        ref var x = ref MemoryMarshal.GetReference(row);
        var t = 0;
        for (; t + 8 <= Trees; t += 8)
        {
            int n0 = _roots[t], n1 = _roots[t + 1], n2 = _roots[t + 2], n3 = _roots[t + 3];
            int n4 = _roots[t + 4], n5 = _roots[t + 5], n6 = _roots[t + 6], n7 = _roots[t + 7];
            DescendEight(ref nodes, ref n0, ref n1, ref n2, ref n3, ref n4, ref n5, ref n6, ref n7, ref x, ref x, ref x, ref x, ref x, ref x, ref x, ref x);
            AddLeaf(sum, _values[t], ~n0);
            AddLeaf(sum, _values[t + 1], ~n1);
            AddLeaf(sum, _values[t + 2], ~n2);
            AddLeaf(sum, _values[t + 3], ~n3);
            AddLeaf(sum, _values[t + 4], ~n4);
            AddLeaf(sum, _values[t + 5], ~n5);
            AddLeaf(sum, _values[t + 6], ~n6);
            AddLeaf(sum, _values[t + 7], ~n7);
        }
        for (; t < Trees; t++)
        {
            AddLeaf(sum, _values[t], Leaf(t, row));
        }
    }

    /// <summary>
    /// Class probabilities of rows [start, start+count) of <paramref name="rows"/> into
    /// <paramref name="probabilities"/> (count × <see cref="Classes"/>): each tree in turn for the
    /// range's groups of eight rows, which callers keep to about <see cref="BlockRows"/> rows, then
    /// each row left over down every tree.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public void Predict(Matrix rows, int start, int count, Span<float> probabilities)
    {
        var classes = Classes;
        probabilities = probabilities[..(count * classes)];
        probabilities.Clear();
        // Unchecked indexing: Build produced every child index, the model checked every feature
        // index against its feature count, and callers checked the rows' width.
        ref var nodes = ref MemoryMarshal.GetArrayDataReference(_nodes);
        ref var data = ref MemoryMarshal.GetArrayDataReference(rows.Data);
        var cols = rows.Cols;
        var grouped = count - count % 8;
        for (var t = 0; t < Trees; t++)
        {
            var root = _roots[t];
            var values = _values[t];
            // Eight rows descend together (DescendEight).
            for (var r = 0; r < grouped; r += 8)
            {
                ref var x0 = ref Unsafe.Add(ref data, (start + r) * cols);
                ref var x1 = ref Unsafe.Add(ref x0, cols);
                ref var x2 = ref Unsafe.Add(ref x1, cols);
                ref var x3 = ref Unsafe.Add(ref x2, cols);
                ref var x4 = ref Unsafe.Add(ref x3, cols);
                ref var x5 = ref Unsafe.Add(ref x4, cols);
                ref var x6 = ref Unsafe.Add(ref x5, cols);
                ref var x7 = ref Unsafe.Add(ref x6, cols);
                int n0 = root, n1 = root, n2 = root, n3 = root, n4 = root, n5 = root, n6 = root, n7 = root;
                DescendEight(ref nodes, ref n0, ref n1, ref n2, ref n3, ref n4, ref n5, ref n6, ref n7, ref x0, ref x1, ref x2, ref x3, ref x4, ref x5, ref x6, ref x7);
                AddLeaf(probabilities.Slice(r * classes, classes), values, ~n0);
                AddLeaf(probabilities.Slice((r + 1) * classes, classes), values, ~n1);
                AddLeaf(probabilities.Slice((r + 2) * classes, classes), values, ~n2);
                AddLeaf(probabilities.Slice((r + 3) * classes, classes), values, ~n3);
                AddLeaf(probabilities.Slice((r + 4) * classes, classes), values, ~n4);
                AddLeaf(probabilities.Slice((r + 5) * classes, classes), values, ~n5);
                AddLeaf(probabilities.Slice((r + 6) * classes, classes), values, ~n6);
                AddLeaf(probabilities.Slice((r + 7) * classes, classes), values, ~n7);
            }
        }
        // The last few rows (a lone one among them) go down eight trees at a time instead; every
        // row's sum is still formed in tree order.
        for (var r = grouped; r < count; r++)
        {
            AddTrees(rows.Row(start + r), probabilities.Slice(r * classes, classes));
        }
        Scale(probabilities, 1f / Trees);
    }

    /// <summary>
    /// Eight descents at once, each from its node (<paramref name="n0"/>…) with its row
    /// (<paramref name="x0"/>…) to its leaf code (~code left in the node): eight independent chains of
    /// dependent loads (node, feature, next node) keep the core busy while each one waits.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void DescendEight(ref Node nodes, ref int n0, ref int n1, ref int n2, ref int n3, ref int n4, ref int n5, ref int n6, ref int n7,
        ref float x0, ref float x1, ref float x2, ref float x3, ref float x4, ref float x5, ref float x6, ref float x7)
    {
        // While all eight are inside their trees (sign bits all clear), no per-chain test.
        while ((n0 | n1 | n2 | n3 | n4 | n5 | n6 | n7) >= 0)
        {
            n0 = Down(ref nodes, n0, ref x0);
            n1 = Down(ref nodes, n1, ref x1);
            n2 = Down(ref nodes, n2, ref x2);
            n3 = Down(ref nodes, n3, ref x3);
            n4 = Down(ref nodes, n4, ref x4);
            n5 = Down(ref nodes, n5, ref x5);
            n6 = Down(ref nodes, n6, ref x6);
            n7 = Down(ref nodes, n7, ref x7);
        }
        while ((n0 & n1 & n2 & n3 & n4 & n5 & n6 & n7) >= 0)
        {
            n0 = n0 >= 0 ? Down(ref nodes, n0, ref x0) : n0;
            n1 = n1 >= 0 ? Down(ref nodes, n1, ref x1) : n1;
            n2 = n2 >= 0 ? Down(ref nodes, n2, ref x2) : n2;
            n3 = n3 >= 0 ? Down(ref nodes, n3, ref x3) : n3;
            n4 = n4 >= 0 ? Down(ref nodes, n4, ref x4) : n4;
            n5 = n5 >= 0 ? Down(ref nodes, n5, ref x5) : n5;
            n6 = n6 >= 0 ? Down(ref nodes, n6, ref x6) : n6;
            n7 = n7 >= 0 ? Down(ref nodes, n7, ref x7) : n7;
        }
    }

    /// <summary>One step down from internal node <paramref name="node"/> for the row at <paramref name="row"/>.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static int Down(ref Node nodes, int node, ref float row)
    {
        ref var n = ref Unsafe.Add(ref nodes, node);
        // The children sit side by side: the comparison indexes them, with no branch. A branch here
        // is mispredicted about half the time (a split sends rows either way), and those stalls,
        // not cache misses, were most of the batch time (4× the rows/s on MNIST's 60,000 rows).
        var right = Unsafe.Add(ref row, n.Feature) <= n.Threshold ? 0 : 1;
        return Unsafe.Add(ref Unsafe.As<Node, int>(ref n), ChildrenOffset + right);
    }

    // Element by element, so vectors give the same sums as a scalar loop.
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Add(Span<float> sum, ReadOnlySpan<float> values)
    {
        var j = 0;
        for (; j + Vector<float>.Count <= sum.Length; j += Vector<float>.Count)
        {
            (new Vector<float>(sum[j..]) + new Vector<float>(values[j..])).CopyTo(sum[j..]);
        }
        for (; j < sum.Length; j++)
        {
            sum[j] += values[j];
        }
    }

    private static void Scale(Span<float> values, float factor)
    {
        for (var j = 0; j < values.Length; j++)
        {
            values[j] *= factor;
        }
    }

    /// <summary>An internal node: go to <see cref="Left"/> when x[Feature] ≤ Threshold; a negative child is ~(leaf value offset).</summary>
    private readonly record struct Node(int Feature, float Threshold, int Left, int Right);
}
