using Distributed.Ml.Numerics;

namespace Distributed.Ml.Neighbors;

/// <summary>
/// NN-descent's joins — all pairs within tree leaves, then rounds of local joins — with proposals
/// computed in parallel over fixed chunks and applied in chunk order.
/// </summary>
/// <remarks>
/// Proposals for a block of chunks are evaluated against the lists as they stood at the start of
/// the block (nothing writes to them meanwhile), then applied chunk by chunk, so the result is the
/// same for any number of threads. Buffers are kept between rounds, so a warmed-up round does not allocate.
/// </remarks>
internal sealed class NeighborJoin(Matrix data, NeighborHeap heap)
{
    /// <summary>Points per proposal chunk (the unit of parallel work).</summary>
    private const int ChunkPoints = 256;

    /// <summary>Points proposed for before the lists are updated; larger blocks mean staler thresholds.</summary>
    private const int BlockPoints = 16384;

    /// <summary>Tree leaves per proposal chunk.</summary>
    private const int ChunkLeaves = 128;

    private readonly List<UpdateBuffer> _buffers = [];

    /// <summary>Joins all pairs within each leaf.</summary>
    public int LeafJoin(List<(int[] Order, int Start, int End)> leaves)
    {
        var chunks = (leaves.Count + ChunkLeaves - 1) / ChunkLeaves;
        return Run(chunks, BlockPoints / ChunkPoints, (chunk, buffer) =>
        {
            var end = Math.Min(leaves.Count, (chunk + 1) * ChunkLeaves);
            for (var l = chunk * ChunkLeaves; l < end; l++)
            {
                var (order, start, stop) = leaves[l];
                var members = order.AsSpan(start, stop - start);
                for (var a = 0; a < members.Length; a++)
                {
                    for (var b = a + 1; b < members.Length; b++)
                    {
                        Propose(members[a], members[b], buffer);
                    }
                }
            }
        });
    }

    /// <summary>One NN-descent round: joins new×new and new×old candidates of every point.</summary>
    public int LocalJoin(NeighborHeap newCandidates, NeighborHeap oldCandidates)
    {
        var chunks = (heap.Count + ChunkPoints - 1) / ChunkPoints;
        return Run(chunks, BlockPoints / ChunkPoints, (chunk, buffer) =>
        {
            var end = Math.Min(heap.Count, (chunk + 1) * ChunkPoints);
            for (var i = chunk * ChunkPoints; i < end; i++)
            {
                var fresh = newCandidates.IndicesOf(i);
                var old = oldCandidates.IndicesOf(i);
                for (var a = 0; a < fresh.Length; a++)
                {
                    var p = fresh[a];
                    if (p < 0)
                    {
                        continue;
                    }
                    for (var b = a + 1; b < fresh.Length; b++)
                    {
                        if (fresh[b] >= 0)
                        {
                            Propose(p, fresh[b], buffer);
                        }
                    }
                    foreach (var q in old)
                    {
                        if (q >= 0 && q != p)
                        {
                            Propose(p, q, buffer);
                        }
                    }
                }
            }
        });
    }

    private void Propose(int p, int q, UpdateBuffer buffer)
    {
        var distance = SquaredEuclidean.Distance(data.Row(p), data.Row(q));
        if (distance < heap.Worst(p) || distance < heap.Worst(q))
        {
            buffer.Add(p, q, distance);
        }
    }

    /// <summary>
    /// Proposes updates for blocks of chunks in parallel (reading the heaps only), then applies
    /// each block's proposals in chunk order. Returns the number of list entries changed.
    /// </summary>
    private int Run(int chunks, int chunksPerBlock, Action<int, UpdateBuffer> propose)
    {
        while (_buffers.Count < Math.Min(chunks, chunksPerBlock))
        {
            _buffers.Add(new UpdateBuffer());
        }
        var updates = 0;
        for (var first = 0; first < chunks; first += chunksPerBlock)
        {
            var last = Math.Min(chunks, first + chunksPerBlock);
            Parallel.For(first, last, chunk =>
            {
                var buffer = _buffers[chunk - first];
                buffer.Clear();
                propose(chunk, buffer);
            });
            for (var chunk = first; chunk < last; chunk++)
            {
                updates += _buffers[chunk - first].ApplyTo(heap);
            }
        }
        return updates;
    }
}
