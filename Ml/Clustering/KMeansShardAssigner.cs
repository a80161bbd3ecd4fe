using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// One shard's k-means statistics over the iterations of a fit, for whoever holds the shard (a
/// worker, or <see cref="InMemoryShardStatistics"/>). Hamerly's bounds are kept between calls, so
/// once the centres settle most rows skip the distance computation; the labels are still exactly
/// plain Lloyd's (<see cref="NearestCentre"/>'s, by the float-error proof of
/// <see cref="HamerlyLloyd"/>), and the sums are computed afresh from the labels in fixed blocks
/// (not bit-identical to <see cref="KMeansStatistics.Compute"/>'s, whose additions are scalar, but
/// the same in every path that uses this class).
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
    private float[]? _assignedWith;
    private int _clusters;

    /// <summary>An assigner for the rows of <paramref name="shard"/>.</summary>
    public KMeansShardAssigner(Matrix shard)
    {
        ArgumentNullException.ThrowIfNull(shard);
        _shard = shard;
        _rowSquaredNorms = NearestCentre.RowSquaredNorms(shard.Data, shard.Rows, shard.Cols);
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
            return Sum(clusters, labels, distances);
        }
        if (_state is null || _clusters != clusters)
        {
            _state = new HamerlyLloyd.State(_shard, clusters, centres, _rowSquaredNorms);
            _blocks = new HamerlyLloyd.BlockState[(_shard.Rows + NearestCentre.BlockRows - 1) / NearestCentre.BlockRows];
            for (var b = 0; b < _blocks.Length; b++)
            {
                _blocks[b] = new HamerlyLloyd.BlockState(clusters, _shard.Cols, _state.Packed.Lanes);
            }
            _clusters = clusters;
        }
        else
        {
            _state.MoveCentres(_assignedWith!, centres);
        }
        _assignedWith = (float[])centres.Clone();
        var state = _state;
        Parallel.For(0, _blocks.Length, b => state.Assign(b, _blocks[b]));
        return Sum(clusters, state.Labels, null);
    }

    /// <summary>
    /// Per-cluster sums and counts (and the inertia from <paramref name="squaredDistances"/>) in
    /// fixed blocks of rows merged in block order: the same bits with or without distances, in
    /// parallel or not. Vectorised row additions (<see cref="KMeansStatistics.Add"/>): this runs
    /// every iteration over every row, while the bounds spare most distance computations.
    /// </summary>
    private KMeansStatistics Sum(int clusters, int[] labels, float[]? squaredDistances)
    {
        var blocks = new KMeansStatistics[(_shard.Rows + NearestCentre.BlockRows - 1) / NearestCentre.BlockRows];
        Parallel.For(0, blocks.Length, b =>
        {
            var start = b * NearestCentre.BlockRows;
            var end = Math.Min(_shard.Rows, start + NearestCentre.BlockRows);
            var block = new KMeansStatistics(clusters, _shard.Cols);
            var inertia = 0.0;
            for (var i = start; i < end; i++)
            {
                block.Add(_shard.Row(i), labels[i]);
                inertia += squaredDistances is null ? 0 : squaredDistances[i];
            }
            block.Inertia = inertia;
            blocks[b] = block;
        });
        var total = new KMeansStatistics(clusters, _shard.Cols);
        foreach (var block in blocks)
        {
            total.Merge(block);
        }
        return total;
    }
}
