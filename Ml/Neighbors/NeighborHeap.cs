namespace Distributed.Ml.Neighbors;

/// <summary>
/// One bounded max-heap per point (row-major n×k keys, indices and flags): the working neighbour
/// lists of NN-descent, and the per-point candidate samples (keyed by random priority).
/// </summary>
internal sealed class NeighborHeap
{
    /// <summary>Flag of an entry not yet used in a local join.</summary>
    public const byte New = 1;

    public NeighborHeap(int count, int size)
    {
        Count = count;
        Size = size;
        Keys = new float[checked(count * size)];
        Indices = new int[Keys.Length];
        Flags = new byte[Keys.Length];
        Clear();
    }

    public int Count { get; }

    public int Size { get; }

    public float[] Keys { get; }

    public int[] Indices { get; }

    public byte[] Flags { get; }

    public Span<int> IndicesOf(int row) => Indices.AsSpan(row * Size, Size);

    /// <summary>The largest key in the row: a candidate must beat it to get in.</summary>
    public float Worst(int row) => Keys[row * Size];

    public void Clear()
    {
        MaxHeap.Clear(Keys, Indices);
        Flags.AsSpan().Clear();
    }

    /// <summary>Adds <paramref name="index"/> to the row if it beats the worst entry and is not already there.</summary>
    public bool TryPush(int row, float key, int index, byte flag)
    {
        var offset = row * Size;
        if (!(key < Keys[offset]))
        {
            return false;
        }
        var indices = Indices.AsSpan(offset, Size);
        if (indices.Contains(index))
        {
            return false;
        }
        MaxHeap.ReplaceRoot(Keys.AsSpan(offset, Size), indices, Flags.AsSpan(offset, Size), key, index, flag);
        return true;
    }

    /// <summary>Number of filled entries in the row.</summary>
    public int Filled(int row)
    {
        var filled = 0;
        foreach (var index in IndicesOf(row))
        {
            filled += index >= 0 ? 1 : 0;
        }
        return filled;
    }
}
