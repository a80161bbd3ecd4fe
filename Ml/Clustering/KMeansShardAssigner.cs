using System.Runtime.CompilerServices;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// One shard's k-means statistics over the iterations of one restart, for whoever holds the shard
/// (through <see cref="ShardStatisticsWorker"/>). Hamerly's bounds are kept between calls, so
/// once the centres settle most rows skip the distance computation; the labels are still exactly
/// plain Lloyd's (<see cref="NearestCentre"/>'s, by the float-error proof of
/// <see cref="HamerlyLloyd"/>), and the sums are computed from the labels in fixed blocks, each
/// cluster's rows of a block added in row order: afresh for the clusters of a block that gained or
/// lost a row, kept for the others (not bit-identical to <see cref="KMeansStatistics.Compute"/>'s,
/// whose additions are scalar, but the same in every path that uses this class).
/// So the statistics are the same bits whatever the assigner saw before: a new assigner (a worker
/// that restarted elsewhere) answers as one that followed every iteration.
/// </summary>
/// <remarks>
/// The bounds stay valid for any sequence of centres (each move loosens them by the triangle
/// inequality), so a repeated call or a jump to a new restart's centres is handled. Inertia needs
/// every row's float distance, which pruned rows do not have: it is computed on request by a full
/// pass, with the same labels.
/// </remarks>
public sealed class KMeansShardAssigner
{
    private readonly Matrix _shard;
    private readonly float[] _rowSquaredNorms;
    private HamerlyLloyd.State? _state;
    private HamerlyLloyd.BlockState[] _blocks = [];
    private KMeansStatistics[] _blockSums = [];
    private float[]? _assignedWith;
    private int _clusters;

    /// <summary>An assigner for the rows of <paramref name="shard"/>.</summary>
    public KMeansShardAssigner(Matrix shard)
        : this(shard, NearestCentre.RowSquaredNorms((shard ?? throw new ArgumentNullException(nameof(shard))).Data, shard.Rows, shard.Cols))
    {
    }

    /// <summary>An assigner sharing the rows' squared norms (as <see cref="NearestCentre.RowSquaredNorms"/> computes them) with the shard's other assigners.</summary>
    internal KMeansShardAssigner(Matrix shard, float[] rowSquaredNorms)
    {
        _shard = shard;
        _rowSquaredNorms = rowSquaredNorms;
    }

    /// <summary>
    /// Sums and counts of the shard's rows by nearest centre of <paramref name="centres"/> (k×d,
    /// row-major), and with <paramref name="inertia"/> the sum of their float squared distances
    /// (otherwise 0).
    /// </summary>
    public KMeansStatistics Statistics(float[] centres, int clusters, bool inertia)
    {
        ArgumentNullException.ThrowIfNull(centres);
        if (inertia)
        {
            var labels = new int[_shard.Rows];
            var distances = new float[_shard.Rows];
            NearestCentre.Assign(_shard, centres, clusters, labels, distances, parallel: true, _rowSquaredNorms);
            var blocks = new KMeansStatistics[BlockCount];
            Parallel.For(0, blocks.Length, b => blocks[b] = SumBlock(_shard, b, clusters, labels, distances));
            return Merge(blocks, clusters);
        }
        if (_state is null || _clusters != clusters)
        {
            _state = new HamerlyLloyd.State(_shard, clusters, centres, _rowSquaredNorms);
            _blocks = new HamerlyLloyd.BlockState[BlockCount];
            for (var b = 0; b < _blocks.Length; b++)
            {
                _blocks[b] = new HamerlyLloyd.BlockState(clusters, _shard.Cols, _state.Packed.Lanes);
            }
            _blockSums = new KMeansStatistics[BlockCount];
            _clusters = clusters;
        }
        else
        {
            _state.MoveCentres(_assignedWith!, centres);
        }
        _assignedWith = (float[])centres.Clone();
        var state = _state;
        var sums = _blockSums;
        Parallel.For(0, _blocks.Length, b =>
        {
            state.Assign(b, _blocks[b]);
            // A block's sums are a function of its rows' labels alone: kept while none of them
            // changes, and where some do, summed again only for the clusters that gained or lost a row.
            if (sums[b] is null)
            {
                sums[b] = SumBlock(_shard, b, clusters, state.Labels, null);
            }
            else if (_blocks[b].Changed)
            {
                ResumBlock(_shard, b, sums[b], _blocks[b].Touched, state.Labels);
            }
        });
        return Merge(sums, clusters);
    }

    private int BlockCount => (_shard.Rows + NearestCentre.BlockRows - 1) / NearestCentre.BlockRows;

    /// <summary>
    /// Per-cluster sums and counts of block <paramref name="b"/> (and the inertia from
    /// <paramref name="squaredDistances"/>), rows added in order: the same bits with or without
    /// distances. Vectorised row additions (<see cref="KMeansStatistics.Add"/>), compiled optimised
    /// from the first call (tier-0 code would not inline them, and a fit can be over before tiering
    /// catches up).
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static KMeansStatistics SumBlock(Matrix shard, int b, int clusters, int[] labels, float[]? squaredDistances)
    {
        var start = b * NearestCentre.BlockRows;
        var end = Math.Min(shard.Rows, start + NearestCentre.BlockRows);
        var block = new KMeansStatistics(clusters, shard.Cols);
        var inertia = 0.0;
        for (var i = start; i < end; i++)
        {
            block.Add(shard.Row(i), labels[i]);
            inertia += squaredDistances is null ? 0 : squaredDistances[i];
        }
        block.Inertia = inertia;
        return block;
    }

    /// <summary>
    /// Sums block <paramref name="b"/>'s rows again into <paramref name="block"/> for the clusters
    /// in <paramref name="touched"/>, leaving the others' sums as they are. Each cluster's sum is its
    /// own chain of additions in row order, so the result is <see cref="SumBlock"/>'s to the bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ResumBlock(Matrix shard, int b, KMeansStatistics block, bool[] touched, int[] labels)
    {
        var d = shard.Cols;
        for (var c = 0; c < touched.Length; c++)
        {
            if (touched[c])
            {
                Array.Clear(block.Sums, c * d, d);
                block.Counts[c] = 0;
            }
        }
        var start = b * NearestCentre.BlockRows;
        var end = Math.Min(shard.Rows, start + NearestCentre.BlockRows);
        for (var i = start; i < end; i++)
        {
            if (touched[labels[i]])
            {
                block.Add(shard.Row(i), labels[i]);
            }
        }
    }

    /// <summary>The blocks' statistics merged in block order, into new statistics (the blocks may be kept for the next call).</summary>
    private KMeansStatistics Merge(KMeansStatistics[] blocks, int clusters)
    {
        var total = new KMeansStatistics(clusters, _shard.Cols);
        foreach (var block in blocks)
        {
            total.Merge(block);
        }
        return total;
    }
}
