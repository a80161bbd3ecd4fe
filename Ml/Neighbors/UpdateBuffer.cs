namespace Distributed.Ml.Neighbors;

/// <summary>
/// A growable list of proposed neighbour pairs (p, q, squared distance), reused across iterations
/// so the join loop does not allocate once it has warmed up.
/// </summary>
internal sealed class UpdateBuffer
{
    private int[] _first = new int[1024];
    private int[] _second = new int[1024];
    private float[] _distances = new float[1024];

    public int Count { get; private set; }

    public void Clear() => Count = 0;

    public void Add(int p, int q, float distance)
    {
        if (Count == _first.Length)
        {
            Array.Resize(ref _first, Count * 2);
            Array.Resize(ref _second, Count * 2);
            Array.Resize(ref _distances, Count * 2);
        }
        _first[Count] = p;
        _second[Count] = q;
        _distances[Count] = distance;
        Count++;
    }

    /// <summary>Pushes every pair into both points' heaps, in order; returns how many pushes succeeded.</summary>
    public int ApplyTo(NeighborHeap heap)
    {
        var applied = 0;
        for (var u = 0; u < Count; u++)
        {
            applied += heap.TryPush(_first[u], _distances[u], _second[u], NeighborHeap.New) ? 1 : 0;
            applied += heap.TryPush(_second[u], _distances[u], _first[u], NeighborHeap.New) ? 1 : 0;
        }
        return applied;
    }
}
