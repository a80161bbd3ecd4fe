using Distributed.Ml.Numerics;

namespace Distributed.Ml.Neighbors;

/// <summary>
/// A k-d tree over the rows of a matrix for exact radius and k-nearest queries in low dimensions
/// (Bentley 1975; Friedman, Bentley &amp; Finkel 1977): each node splits its rows at the median of
/// the coordinate with the widest spread, leaves hold at most <see cref="LeafSize"/> rows, and every
/// node keeps its rows' bounding box so a query skips any node whose box lies beyond its radius.
/// </summary>
/// <remarks>
/// Memory O(n·d): a reordered copy of the rows (leaf rows are contiguous, which keeps the distance
/// loops in cache) plus two boxes per node. Queries are read-only, so one tree serves many threads.
/// Distances are <see cref="SquaredEuclidean"/>'s, so a pair's distance is the same bits whatever
/// the query order. Building and querying are deterministic (no randomness; ties by row index).
/// It suits the 2–20 dimensional embeddings this project clusters; in hundreds of dimensions the
/// boxes stop pruning and a query degrades to brute force.
/// </remarks>
public sealed class KdTree
{
    /// <summary>Most rows in a leaf: small enough to prune well, large enough to amortise the box tests.</summary>
    public const int LeafSize = 16;

    private readonly float[] _points;
    private readonly int[] _order;
    private readonly int _dimension;
    private readonly List<Node> _nodes = [];
    private readonly float[] _lower;
    private readonly float[] _upper;

    /// <summary>Builds the tree over every row of <paramref name="data"/> (copied; later changes to it are not seen).</summary>
    public KdTree(Matrix data)
    {
        ArgumentNullException.ThrowIfNull(data);
        Count = data.Rows;
        _dimension = data.Cols;
        _order = new int[data.Rows];
        for (var i = 0; i < _order.Length; i++)
        {
            _order[i] = i;
        }
        var keys = new float[data.Rows];
        var boxes = new List<float>();
        if (data.Rows > 0)
        {
            Build(data, 0, data.Rows, keys, boxes);
        }
        _points = new float[data.Data.Length];
        for (var p = 0; p < _order.Length; p++)
        {
            data.Row(_order[p]).CopyTo(_points.AsSpan(p * _dimension, _dimension));
        }
        var halves = boxes.ToArray();
        _lower = new float[_nodes.Count * _dimension];
        _upper = new float[_lower.Length];
        for (var n = 0; n < _nodes.Count; n++)
        {
            halves.AsSpan(2 * n * _dimension, _dimension).CopyTo(_lower.AsSpan(n * _dimension));
            halves.AsSpan((2 * n + 1) * _dimension, _dimension).CopyTo(_upper.AsSpan(n * _dimension));
        }
    }

    /// <summary>Rows in the tree.</summary>
    public int Count { get; }

    /// <summary>Columns of every row.</summary>
    public int Dimension => _dimension;

    /// <summary>
    /// Rows within squared distance <paramref name="radiusSquared"/> (inclusive) of the query,
    /// counting up to <paramref name="limit"/> and stopping there: enough to decide whether a point
    /// has at least <paramref name="limit"/> neighbours without enumerating a dense neighbourhood.
    /// </summary>
    public int CountWithin(ReadOnlySpan<float> query, float radiusSquared, int limit)
    {
        CheckQuery(query);
        if (Count == 0 || limit <= 0)
        {
            return 0;
        }
        Span<int> stack = stackalloc int[StackDepth];
        var top = 0;
        stack[top++] = 0;
        var found = 0;
        while (top > 0)
        {
            var index = stack[--top];
            if (BoxDistance(query, index) > radiusSquared)
            {
                continue;
            }
            var node = _nodes[index];
            if (node.Left < 0)
            {
                for (var p = node.Start; p < node.End; p++)
                {
                    if (SquaredEuclidean.Distance(query, Point(p)) <= radiusSquared && ++found >= limit)
                    {
                        return found;
                    }
                }
                continue;
            }
            stack[top++] = node.Right;
            stack[top++] = node.Left;
        }
        return found;
    }

    /// <summary>Appends to <paramref name="result"/> every row within squared distance <paramref name="radiusSquared"/> (inclusive), in tree order.</summary>
    public void Within(ReadOnlySpan<float> query, float radiusSquared, List<int> result)
    {
        CheckQuery(query);
        ArgumentNullException.ThrowIfNull(result);
        if (Count == 0)
        {
            return;
        }
        Span<int> stack = stackalloc int[StackDepth];
        var top = 0;
        stack[top++] = 0;
        while (top > 0)
        {
            var index = stack[--top];
            if (BoxDistance(query, index) > radiusSquared)
            {
                continue;
            }
            var node = _nodes[index];
            if (node.Left < 0)
            {
                for (var p = node.Start; p < node.End; p++)
                {
                    if (SquaredEuclidean.Distance(query, Point(p)) <= radiusSquared)
                    {
                        result.Add(_order[p]);
                    }
                }
                continue;
            }
            stack[top++] = node.Right;
            stack[top++] = node.Left;
        }
    }

    /// <summary>
    /// The <paramref name="indices"/>.Length nearest rows to the query, ascending by distance (ties
    /// by row index); <paramref name="squaredDistances"/> gets their squared distances. A row equal
    /// to the query is included at distance 0. Slots beyond <see cref="Count"/> get −1 and +∞.
    /// </summary>
    public void Nearest(ReadOnlySpan<float> query, Span<int> indices, Span<float> squaredDistances)
    {
        CheckQuery(query);
        if (indices.Length != squaredDistances.Length)
        {
            throw new ArgumentException($"{indices.Length} index slots but {squaredDistances.Length} distance slots.");
        }
        MaxHeap.Clear(squaredDistances, indices);
        if (Count == 0 || indices.Length == 0)
        {
            return;
        }
        Span<int> stack = stackalloc int[StackDepth];
        var top = 0;
        stack[top++] = 0;
        while (top > 0)
        {
            var index = stack[--top];
            // Only a box strictly beyond the current worst is skipped: a tie may still win on row index.
            if (BoxDistance(query, index) > squaredDistances[0])
            {
                continue;
            }
            var node = _nodes[index];
            if (node.Left < 0)
            {
                for (var p = node.Start; p < node.End; p++)
                {
                    var distance = SquaredEuclidean.Distance(query, Point(p));
                    var worst = squaredDistances[0];
                    if (distance < worst || (distance == worst && (uint)_order[p] < (uint)indices[0]))
                    {
                        ReplaceRoot(squaredDistances, indices, distance, _order[p]);
                    }
                }
                continue;
            }
            // Visit the child on the query's side of the split first: it tightens the bound sooner.
            if (query[node.SplitDimension] < node.SplitValue)
            {
                stack[top++] = node.Right;
                stack[top++] = node.Left;
            }
            else
            {
                stack[top++] = node.Left;
                stack[top++] = node.Right;
            }
        }
        MaxHeap.SortAscending(squaredDistances, indices);
    }

    // A balanced tree over int.MaxValue rows with leaves of 16 is under 32 levels deep; the stack
    // holds at most one pending sibling per level plus the node in hand.
    private const int StackDepth = 2 * 32 + 2;

    /// <summary>
    /// <see cref="MaxHeap.ReplaceRoot(Span{float}, Span{int}, float, int)"/> ordered by (distance,
    /// index) rather than distance alone, so the root is the last of the tied worst entries and a
    /// tie is settled by row index (empty slots, index −1, compare as the largest index).
    /// </summary>
    private static void ReplaceRoot(Span<float> keys, Span<int> indices, float key, int index)
    {
        var size = keys.Length;
        var i = 0;
        while (true)
        {
            var left = 2 * i + 1;
            if (left >= size)
            {
                break;
            }
            var right = left + 1;
            var child = right < size && After(keys[right], indices[right], keys[left], indices[left]) ? right : left;
            if (!After(keys[child], indices[child], key, index))
            {
                break;
            }
            keys[i] = keys[child];
            indices[i] = indices[child];
            i = child;
        }
        keys[i] = key;
        indices[i] = index;
    }

    private static bool After(float key, int index, float otherKey, int otherIndex) =>
        key > otherKey || (key == otherKey && (uint)index > (uint)otherIndex);

    private ReadOnlySpan<float> Point(int position) => _points.AsSpan(position * _dimension, _dimension);

    private void CheckQuery(ReadOnlySpan<float> query)
    {
        if (query.Length != _dimension)
        {
            throw new ArgumentException($"The tree holds {_dimension}-d rows, the query has {query.Length} values.", nameof(query));
        }
    }

    /// <summary>Squared distance from the query to node <paramref name="node"/>'s bounding box (0 inside it).</summary>
    private float BoxDistance(ReadOnlySpan<float> query, int node)
    {
        var lower = _lower.AsSpan(node * _dimension, _dimension);
        var upper = _upper.AsSpan(node * _dimension, _dimension);
        var sum = 0f;
        for (var j = 0; j < query.Length; j++)
        {
            var below = lower[j] - query[j];
            var above = query[j] - upper[j];
            var gap = MathF.Max(0f, MathF.Max(below, above));
            sum += gap * gap;
        }
        return sum;
    }

    /// <summary>Builds the node over _order[start..end) and returns its index; boxes are appended lower then upper.</summary>
    private int Build(Matrix data, int start, int end, float[] keys, List<float> boxes)
    {
        var index = _nodes.Count;
        _nodes.Add(default);
        var d = data.Cols;
        var lower = new float[d];
        var upper = new float[d];
        lower.AsSpan().Fill(float.PositiveInfinity);
        upper.AsSpan().Fill(float.NegativeInfinity);
        for (var p = start; p < end; p++)
        {
            var row = data.Row(_order[p]);
            for (var j = 0; j < d; j++)
            {
                lower[j] = MathF.Min(lower[j], row[j]);
                upper[j] = MathF.Max(upper[j], row[j]);
            }
        }
        boxes.AddRange(lower);
        boxes.AddRange(upper);
        var widest = 0;
        for (var j = 1; j < d; j++)
        {
            if (upper[j] - lower[j] > upper[widest] - lower[widest])
            {
                widest = j;
            }
        }
        if (end - start <= LeafSize || d == 0 || upper[widest] <= lower[widest])
        {
            _nodes[index] = new Node(start, end, -1, -1, 0, 0f);
            return index;
        }
        for (var p = start; p < end; p++)
        {
            keys[p] = data.Row(_order[p])[widest];
        }
        // Sorting by (coordinate, row index) makes the split independent of the sort's tie handling.
        var items = _order.AsSpan(start, end - start);
        var span = keys.AsSpan(start, end - start);
        span.Sort(items);
        SortTies(span, items);
        var middle = start + (end - start) / 2;
        var splitValue = keys[middle]; // read before the children reuse the key buffer
        var left = Build(data, start, middle, keys, boxes);
        var right = Build(data, middle, end, keys, boxes);
        _nodes[index] = new Node(start, end, left, right, widest, splitValue);
        return index;
    }

    /// <summary>Orders runs of equal keys by row index (the span sort is not stable).</summary>
    private static void SortTies(Span<float> keys, Span<int> items)
    {
        var runStart = 0;
        for (var i = 1; i <= keys.Length; i++)
        {
            if (i == keys.Length || keys[i] != keys[runStart])
            {
                if (i - runStart > 1)
                {
                    items[runStart..i].Sort();
                }
                runStart = i;
            }
        }
    }

    private readonly record struct Node(int Start, int End, int Left, int Right, int SplitDimension, float SplitValue);
}
