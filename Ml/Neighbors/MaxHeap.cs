namespace Distributed.Ml.Neighbors;

/// <summary>
/// Fixed-size max-heaps stored in spans (root at 0): the bounded "k best so far" list behind every
/// neighbour search. Empty slots hold +∞ and index −1, so they are replaced first.
/// </summary>
internal static class MaxHeap
{
    /// <summary>Replaces the root (the current worst) with a new entry and restores the heap.</summary>
    public static void ReplaceRoot(Span<float> keys, Span<int> indices, float key, int index)
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
            var child = right < size && keys[right] > keys[left] ? right : left;
            if (keys[child] <= key)
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

    /// <summary>Same as <see cref="ReplaceRoot(Span{float}, Span{int}, float, int)"/>, carrying a flag byte along.</summary>
    public static void ReplaceRoot(Span<float> keys, Span<int> indices, Span<byte> flags, float key, int index, byte flag)
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
            var child = right < size && keys[right] > keys[left] ? right : left;
            if (keys[child] <= key)
            {
                break;
            }
            keys[i] = keys[child];
            indices[i] = indices[child];
            flags[i] = flags[child];
            i = child;
        }
        keys[i] = key;
        indices[i] = index;
        flags[i] = flag;
    }

    /// <summary>Empties a heap: every slot +∞ with index −1.</summary>
    public static void Clear(Span<float> keys, Span<int> indices)
    {
        keys.Fill(float.PositiveInfinity);
        indices.Fill(-1);
    }

    /// <summary>Sorts entries by ascending key, ties by ascending index (insertion sort: the rows are short).</summary>
    public static void SortAscending(Span<float> keys, Span<int> indices)
    {
        for (var i = 1; i < keys.Length; i++)
        {
            var key = keys[i];
            var index = indices[i];
            var j = i - 1;
            while (j >= 0 && (keys[j] > key || (keys[j] == key && (uint)indices[j] > (uint)index)))
            {
                keys[j + 1] = keys[j];
                indices[j + 1] = indices[j];
                j--;
            }
            keys[j + 1] = key;
            indices[j + 1] = index;
        }
    }
}
