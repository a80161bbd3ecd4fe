using System.Runtime.CompilerServices;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// One shard's k-means statistics over the iterations of one restart, for whoever holds the shard
/// (through <see cref="ShardStatisticsWorker"/>). Hamerly's bounds are kept between calls, so
/// once the centres settle most rows skip the distance computation; the labels are still exactly
/// plain Lloyd's (<see cref="NearestCentre"/>'s, by the float-error proof of
/// <see cref="HamerlyLloyd"/>), and the sums are computed from the labels in fixed blocks, each
/// cluster's rows of a block added in row order (not bit-identical to
/// <see cref="KMeansStatistics.Compute"/>'s, whose additions are scalar, but the same in every path
/// that uses this class). When labels change, a block's sums move by the rows that changed
/// cluster, and the columns of the block whose additions may round in double
/// (<see cref="InexactColumns"/>) are summed again for the clusters that gained or lost a row.
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
    private readonly int[][] _inexactColumns;
    private HamerlyLloyd.State? _state;
    private HamerlyLloyd.BlockState[] _blocks = [];
    private KMeansStatistics[] _blockSums = [];
    private float[]? _assignedWith;
    private int _clusters;

    /// <summary>An assigner for the rows of <paramref name="shard"/>.</summary>
    public KMeansShardAssigner(Matrix shard)
        : this(shard, NearestCentre.RowSquaredNorms((shard ?? throw new ArgumentNullException(nameof(shard))).Data, shard.Rows, shard.Cols), InexactColumns(shard))
    {
    }

    /// <summary>
    /// An assigner sharing the rows' squared norms (as <see cref="NearestCentre.RowSquaredNorms"/>
    /// computes them) and the blocks' inexact columns (<see cref="InexactColumns"/>) with the shard's other assigners.
    /// </summary>
    internal KMeansShardAssigner(Matrix shard, float[] rowSquaredNorms, int[][] inexactColumns)
    {
        _shard = shard;
        _rowSquaredNorms = rowSquaredNorms;
        _inexactColumns = inexactColumns;
    }

    /// <summary>
    /// For each block of <see cref="NearestCentre.BlockRows"/> rows of <paramref name="shard"/>, the
    /// columns whose sums may round: in every other column, every sum of the block's values, with
    /// either sign, in any order and grouping, is exact in double, so moving a row in or out of a
    /// cluster's sum gives the bits of summing the cluster's rows afresh. A column is exact when the
    /// sum of its magnitudes S stays below 2⁵³·u, u the finest ulp among its non-zero values: every
    /// value is a multiple of u, every partial sum is one of magnitude at most S, and double holds
    /// each such multiple. (Nor can such a sum give −0: from +0, an exact sum that cancels is +0.) A
    /// column with a value that is not finite is not exact.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static int[][] InexactColumns(Matrix shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        var d = shard.Cols;
        var inexact = new int[(shard.Rows + NearestCentre.BlockRows - 1) / NearestCentre.BlockRows][];
        var magnitudes = new double[d];
        var finestUlp = new int[d];
        for (var b = 0; b < inexact.Length; b++)
        {
            var start = b * NearestCentre.BlockRows;
            var end = Math.Min(shard.Rows, start + NearestCentre.BlockRows);
            Array.Clear(magnitudes);
            Array.Fill(finestUlp, int.MaxValue);
            for (var i = start; i < end; i++)
            {
                var row = shard.Row(i);
                for (var j = 0; j < d; j++)
                {
                    var magnitude = BitConverter.SingleToInt32Bits(row[j]) & int.MaxValue;
                    var biasedExponent = magnitude >>> 23;
                    if (magnitude != 0)
                    {
                        // A normal float's ulp is 2^(e − 127 − 23), a subnormal's 2^−149; a NaN or an
                        // infinity makes the column's sum of magnitudes infinite or NaN, so not exact.
                        finestUlp[j] = Math.Min(finestUlp[j], biasedExponent == 0 ? -149 : biasedExponent - 150);
                        magnitudes[j] += Math.Abs(row[j]);
                    }
                }
            }
            // S as summed here is within 2048·2⁻⁵³ of itself (relative), far inside the margin.
            inexact[b] = [.. Enumerable.Range(0, d).Where(j => finestUlp[j] != int.MaxValue
                && !(magnitudes[j] < Math.ScaleB(1.0, 53 + finestUlp[j]) * (1 - Math.ScaleB(1.0, -30))))];
        }
        return inexact;
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
            // changes, and where some do, moved by the rows that changed cluster, then summed again
            // in the columns where that may round, for the clusters that gained or lost a row.
            if (sums[b] is null)
            {
                sums[b] = SumBlock(_shard, b, clusters, state.Labels, null);
            }
            else if (_blocks[b].Changed)
            {
                sums[b].Merge(_blocks[b].Delta);
                if (_inexactColumns[b].Length > 0)
                {
                    ResumColumns(_shard, b, sums[b], _blocks[b].Touched, state.Labels, _inexactColumns[b]);
                }
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
    /// Sums block <paramref name="b"/>'s rows again into <paramref name="block"/> in
    /// <paramref name="columns"/> for the clusters in <paramref name="touched"/>, leaving the rest
    /// as it is. Each cluster's sum in a column is its own chain of additions in row order, so the
    /// result is <see cref="SumBlock"/>'s to the bit.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void ResumColumns(Matrix shard, int b, KMeansStatistics block, bool[] touched, int[] labels, int[] columns)
    {
        var d = shard.Cols;
        var sums = block.Sums;
        for (var c = 0; c < touched.Length; c++)
        {
            if (touched[c])
            {
                foreach (var j in columns)
                {
                    sums[c * d + j] = 0;
                }
            }
        }
        var start = b * NearestCentre.BlockRows;
        var end = Math.Min(shard.Rows, start + NearestCentre.BlockRows);
        for (var i = start; i < end; i++)
        {
            var label = labels[i];
            if (touched[label])
            {
                var row = shard.Row(i);
                foreach (var j in columns)
                {
                    sums[label * d + j] += row[j];
                }
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
