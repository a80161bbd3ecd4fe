using Distributed.Ml.Numerics;

namespace Distributed.Ml.Neighbors;

/// <summary>
/// Approximate k nearest neighbours by NN-descent (Dong, Moses and Li 2011, as in pynndescent):
/// start from the leaves of random projection trees, then repeatedly compare each point's
/// neighbours with one another ("local join": a neighbour of my neighbour is likely my neighbour)
/// until a round improves almost nothing.
/// </summary>
/// <remarks>
/// Each round samples per point up to <see cref="NearestNeighborDescentOptions.MaxCandidates"/>
/// entries not yet joined ("new", and reverse neighbours) and already joined ("old"), and joins
/// new×new and new×old pairs only. The joins are evaluated in parallel over fixed chunks of points
/// against the lists as they stood at the start of a block of chunks, then applied in chunk order,
/// so the result depends on the seed alone and not on the thread count. Distances are computed
/// directly (<see cref="SquaredEuclidean"/>); a round costs O(n·c²·d) for c candidates per point.
/// </remarks>
public static class NearestNeighborDescent
{
    /// <summary>Sub-streams of <see cref="RandomStreams.Neighbors"/> (0 builds the trees).</summary>
    private const ulong FillPurpose = 1;
    private const ulong SamplePurpose = 2;

    /// <summary>Finds approximately the <see cref="NearestNeighborDescentOptions.Neighbors"/> nearest other rows of each row.</summary>
    public static KnnGraph Build(Matrix data, NearestNeighborDescentOptions options)
    {
        ArgumentNullException.ThrowIfNull(data);
        ArgumentNullException.ThrowIfNull(options);
        var n = data.Rows;
        var k = options.Neighbors;
        if (k < 1 || k > n - 1)
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Neighbours must be in 1..{n - 1} (rows − 1), got {k}.");
        }
        ArgumentOutOfRangeException.ThrowIfNegative(options.Trees);
        ArgumentOutOfRangeException.ThrowIfNegative(options.LeafSize);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxIterations);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxCandidates);
        ArgumentOutOfRangeException.ThrowIfNegative(options.Delta);

        var trees = options.Trees > 0 ? options.Trees : Math.Min(64, 5 + (int)Math.Round(Math.Sqrt(n) / 20.0));
        var leafSize = options.LeafSize > 0 ? options.LeafSize : Math.Max(10, k);
        var iterations = options.MaxIterations > 0 ? options.MaxIterations : Math.Max(5, (int)Math.Round(Math.Log2(n)));
        var maxCandidates = options.MaxCandidates > 0 ? options.MaxCandidates : Math.Min(60, Math.Max(2 * k, 20));
        var seed = options.Seed;

        var heap = new NeighborHeap(n, k);
        var join = new NeighborJoin(data, heap);
        InitialiseFromTrees(join, RandomProjectionForest.Build(data, trees, leafSize, seed));
        FillAtRandom(data, heap, seed);

        var newCandidates = new NeighborHeap(n, maxCandidates);
        var oldCandidates = new NeighborHeap(n, maxCandidates);
        var threshold = options.Delta * k * n;
        for (var iteration = 0; iteration < iterations; iteration++)
        {
            SampleCandidates(heap, newCandidates, oldCandidates, Rng.Derive(seed, RandomStreams.Neighbors, SamplePurpose, (ulong)iteration));
            var updates = join.LocalJoin(newCandidates, oldCandidates);
            if (updates <= threshold)
            {
                break;
            }
        }
        return ToGraph(heap);
    }

    private static void InitialiseFromTrees(NeighborJoin join, RandomProjectionForest.Tree[] trees)
    {
        var leaves = new List<(int[] Order, int Start, int End)>();
        foreach (var tree in trees)
        {
            foreach (var (start, end) in tree.Leaves)
            {
                leaves.Add((tree.Order, start, end));
            }
        }
        join.LeafJoin(leaves);
    }

    /// <summary>Tops up lists the trees left short with random points (rare: tiny leaves in every tree).</summary>
    private static void FillAtRandom(Matrix data, NeighborHeap heap, ulong seed)
    {
        var n = data.Rows;
        for (var i = 0; i < n; i++)
        {
            var missing = heap.Size - heap.Filled(i);
            if (missing == 0)
            {
                continue;
            }
            var rng = Rng.Derive(seed, RandomStreams.Neighbors, FillPurpose, (ulong)i);
            var row = data.Row(i);
            while (missing > 0)
            {
                var j = rng.NextInt(n);
                if (j != i && heap.TryPush(i, SquaredEuclidean.Distance(row, data.Row(j)), j, NeighborHeap.New))
                {
                    missing--;
                }
            }
        }
    }

    /// <summary>
    /// Samples each point's new and old candidates (its list entries and reverse neighbours) by
    /// random priority, and marks the sampled new entries as old for the next round.
    /// </summary>
    private static void SampleCandidates(NeighborHeap heap, NeighborHeap newCandidates, NeighborHeap oldCandidates, Rng rng)
    {
        newCandidates.Clear();
        oldCandidates.Clear();
        var k = heap.Size;
        for (var i = 0; i < heap.Count; i++)
        {
            for (var s = i * k; s < (i + 1) * k; s++)
            {
                var j = heap.Indices[s];
                if (j < 0)
                {
                    continue;
                }
                var priority = rng.NextSingle();
                var target = heap.Flags[s] == NeighborHeap.New ? newCandidates : oldCandidates;
                target.TryPush(i, priority, j, 0);
                target.TryPush(j, priority, i, 0);
            }
        }
        for (var i = 0; i < heap.Count; i++)
        {
            var sampled = newCandidates.IndicesOf(i);
            for (var s = i * k; s < (i + 1) * k; s++)
            {
                if (heap.Flags[s] == NeighborHeap.New && sampled.Contains(heap.Indices[s]))
                {
                    heap.Flags[s] = 0;
                }
            }
        }
    }

    private static KnnGraph ToGraph(NeighborHeap heap)
    {
        var n = heap.Count;
        var k = heap.Size;
        var indices = new int[n * k];
        var distances = new float[n * k];
        for (var i = 0; i < n; i++)
        {
            var keys = heap.Keys.AsSpan(i * k, k);
            var ids = heap.Indices.AsSpan(i * k, k);
            MaxHeap.SortAscending(keys, ids);
            ids.CopyTo(indices.AsSpan(i * k, k));
            for (var j = 0; j < k; j++)
            {
                distances[i * k + j] = MathF.Sqrt(keys[j]);
            }
        }
        return new KnnGraph(n, k, indices, distances);
    }
}
