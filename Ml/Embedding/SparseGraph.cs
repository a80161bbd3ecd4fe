namespace Distributed.Ml.Embedding;

/// <summary>
/// A weighted undirected graph as a symmetric CSR matrix (each edge stored in both rows, columns
/// ascending within a row): UMAP's fuzzy simplicial set.
/// </summary>
internal sealed class SparseGraph
{
    public SparseGraph(int count, int[] rowStarts, int[] columns, float[] weights)
    {
        Count = count;
        RowStarts = rowStarts;
        Columns = columns;
        Weights = weights;
    }

    public int Count { get; }

    /// <summary>Row i's entries are [RowStarts[i], RowStarts[i + 1]).</summary>
    public int[] RowStarts { get; }

    public int[] Columns { get; }

    public float[] Weights { get; }

    public int EdgeCount => Columns.Length;

    /// <summary>Builds the graph from (row, column, weight) triples, dropping non-positive weights.</summary>
    public static SparseGraph FromEntries(int count, int[] rows, int[] columns, float[] weights, int entries)
    {
        var starts = new int[count + 1];
        for (var e = 0; e < entries; e++)
        {
            if (weights[e] > 0)
            {
                starts[rows[e] + 1]++;
            }
        }
        for (var i = 0; i < count; i++)
        {
            starts[i + 1] += starts[i];
        }
        var next = starts[..count];
        var outColumns = new int[starts[count]];
        var outWeights = new float[starts[count]];
        for (var e = 0; e < entries; e++)
        {
            if (weights[e] > 0)
            {
                var slot = next[rows[e]]++;
                outColumns[slot] = columns[e];
                outWeights[slot] = weights[e];
            }
        }
        for (var i = 0; i < count; i++)
        {
            Array.Sort(outColumns, outWeights, starts[i], starts[i + 1] - starts[i]);
        }
        return new SparseGraph(count, starts, outColumns, outWeights);
    }

    public float MaxWeight()
    {
        var max = 0f;
        foreach (var weight in Weights)
        {
            max = Math.Max(max, weight);
        }
        return max;
    }

    /// <summary>The graph without the edges lighter than <paramref name="threshold"/>.</summary>
    public SparseGraph WithoutEdgesBelow(float threshold)
    {
        var starts = new int[Count + 1];
        var kept = 0;
        for (var i = 0; i < Count; i++)
        {
            for (var e = RowStarts[i]; e < RowStarts[i + 1]; e++)
            {
                kept += Weights[e] >= threshold ? 1 : 0;
            }
            starts[i + 1] = kept;
        }
        var columns = new int[kept];
        var weights = new float[kept];
        var slot = 0;
        for (var e = 0; e < EdgeCount; e++)
        {
            if (Weights[e] >= threshold)
            {
                columns[slot] = Columns[e];
                weights[slot++] = Weights[e];
            }
        }
        return new SparseGraph(Count, starts, columns, weights);
    }

    /// <summary>Connected components, numbered by their lowest vertex; returns the number of components.</summary>
    public int Components(int[] labels)
    {
        labels.AsSpan().Fill(-1);
        var stack = new Stack<int>();
        var components = 0;
        for (var start = 0; start < Count; start++)
        {
            if (labels[start] >= 0)
            {
                continue;
            }
            labels[start] = components;
            stack.Push(start);
            while (stack.Count > 0)
            {
                var i = stack.Pop();
                for (var e = RowStarts[i]; e < RowStarts[i + 1]; e++)
                {
                    var j = Columns[e];
                    if (labels[j] < 0)
                    {
                        labels[j] = components;
                        stack.Push(j);
                    }
                }
            }
            components++;
        }
        return components;
    }

    /// <summary>The subgraph induced by the listed vertices (ascending), renumbered 0..members−1.</summary>
    public SparseGraph Subgraph(int[] members)
    {
        var position = new Dictionary<int, int>(members.Length);
        for (var m = 0; m < members.Length; m++)
        {
            position[members[m]] = m;
        }
        var starts = new int[members.Length + 1];
        var columns = new List<int>();
        var weights = new List<float>();
        for (var m = 0; m < members.Length; m++)
        {
            var i = members[m];
            for (var e = RowStarts[i]; e < RowStarts[i + 1]; e++)
            {
                if (position.TryGetValue(Columns[e], out var column))
                {
                    columns.Add(column);
                    weights.Add(Weights[e]);
                }
            }
            starts[m + 1] = columns.Count;
        }
        return new SparseGraph(members.Length, starts, [.. columns], [.. weights]);
    }
}
