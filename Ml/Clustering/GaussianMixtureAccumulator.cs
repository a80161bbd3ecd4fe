using System.Collections.Concurrent;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// Computes <see cref="GaussianMixtureStatistics"/> of one matrix in parallel: the rows are cut
/// into a fixed partition of parts (whole blocks), each part accumulated into its own statistics,
/// and the parts merged in order, so the result is bit-identical whatever the thread count. Part
/// statistics and scratch buffers are kept between calls, so EM iterations allocate almost nothing.
/// </summary>
internal sealed class GaussianMixtureAccumulator
{
    // Enough parts to keep many cores busy; bounded so that k·d² partial sums per part stay small.
    private const int MaxParts = 64;
    private const long MaxPartBytes = 256L << 20;

    private readonly Matrix _data;
    private readonly int _partRows;
    private readonly GaussianMixtureStatistics[] _parts;
    private readonly ConcurrentBag<GaussianMixtureKernel.Scratch> _scratch = [];

    public GaussianMixtureAccumulator(Matrix data, int clusters, CovarianceType covarianceType)
    {
        _data = data;
        var first = new GaussianMixtureStatistics(clusters, data.Cols, covarianceType);
        var bytesPerPart = 8L * (first.Responsibilities.Length + first.FirstMoments.Length + first.SecondMoments.Length);
        var blocks = Math.Max(1, (data.Rows + GaussianMixtureKernel.BlockRows - 1) / GaussianMixtureKernel.BlockRows);
        var parts = (int)Math.Clamp(MaxPartBytes / bytesPerPart, 1, Math.Min(MaxParts, blocks));
        var blocksPerPart = (blocks + parts - 1) / parts;
        _partRows = blocksPerPart * GaussianMixtureKernel.BlockRows;
        _parts = new GaussianMixtureStatistics[(blocks + blocksPerPart - 1) / blocksPerPart];
        _parts[0] = first;
        for (var p = 1; p < _parts.Length; p++)
        {
            _parts[p] = new GaussianMixtureStatistics(clusters, data.Cols, covarianceType);
        }
    }

    /// <summary>E-step statistics of all rows under <paramref name="model"/>.</summary>
    public GaussianMixtureStatistics Expect(GaussianMixtureModel model)
    {
        if (model.Dimension != _data.Cols || model.ClusterCount != _parts[0].Clusters || model.CovarianceType != _parts[0].CovarianceType)
        {
            throw new ArgumentException($"The model expects {model.Dimension} columns, got {_data.Cols}.", nameof(model));
        }
        return Run((start, count, part, scratch) => GaussianMixtureMoments.Accumulate(_data, start, count, model, part, scratch));
    }

    /// <summary>Moments of hard assignments.</summary>
    public GaussianMixtureStatistics FromLabels(int[] labels) =>
        Run((start, count, part, scratch) => GaussianMixtureMoments.AccumulateLabelled(_data, start, count, labels, part, scratch));

    private GaussianMixtureStatistics Run(Action<int, int, GaussianMixtureStatistics, GaussianMixtureKernel.Scratch> accumulate)
    {
        var total = _parts[0];
        Parallel.For(0, _parts.Length, Rent, (p, _, scratch) =>
        {
            var start = p * _partRows;
            _parts[p].Clear();
            accumulate(start, Math.Min(_partRows, _data.Rows - start), _parts[p], scratch);
            return scratch;
        }, _scratch.Add);
        var result = new GaussianMixtureStatistics(total.Clusters, total.Dimension, total.CovarianceType);
        foreach (var part in _parts)
        {
            result.Merge(part);
        }
        return result;
    }

    private GaussianMixtureKernel.Scratch Rent() =>
        _scratch.TryTake(out var scratch) ? scratch : new GaussianMixtureKernel.Scratch(_parts[0].Clusters, _data.Cols);
}
