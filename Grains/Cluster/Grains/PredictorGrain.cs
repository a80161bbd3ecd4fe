using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Placement;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Serving;
using Distributed.Ml.Data;
using Distributed.Ml.Numerics;
using Orleans.Concurrency;

namespace Distributed.Grains.Cluster.Grains;

/// <summary>
/// Answers predictions on <c>predictor</c> silos with the silo's <see cref="Predictor"/>, which
/// batches concurrent requests and swaps models without dropping any. A stateless worker, so a
/// predictor silo's own HTTP API (<see cref="GrainPredictionSource"/>) is answered in that silo and
/// every predictor silo shares the load of other services' calls.
/// </summary>
[RequireSiloRole(SiloRoles.Predictor)]
[StatelessWorker]
public sealed class PredictorGrain(Predictor predictor, SiloOptions silo) : Grain, IPredictorGrain
{
    /// <inheritdoc/>
    public async Task<ImagesPredicted> Predict(PredictImages request, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        if (request.Count < 1 || request.Pixels is null || request.Pixels.Length != (long)request.Count * ImageShape.Pixels)
        {
            throw new ArgumentException($"{request.Count} images need {(long)request.Count * ImageShape.Pixels} pixel values, got {request.Pixels?.Length ?? 0}");
        }
        foreach (var value in request.Pixels)
        {
            if (!(value is >= 0f and <= 1f))
            {
                throw new ArgumentException($"pixel values must be in [0, 1], got {value}");
            }
        }
        if (predictor.Current is null)
        {
            throw new InvalidOperationException($"silo {silo.SiloId} has no model yet: none was given with --model and none has been published");
        }
        var (model, prediction) = await predictor.PredictAsync(new Matrix(request.Count, ImageShape.Pixels, request.Pixels), cancellationToken).ConfigureAwait(true);
        var names = model.Manifest.ClusterNames;
        return new ImagesPredicted(model.Version, prediction.Clusters, prediction.Probabilities.Data.ToArray(), prediction.ClusterIds, prediction.Novelty ?? [], silo.SiloId,
            names?.ToDictionary(), names is null ? null : ClusterLabels.LabelsOf(prediction.Clusters, names));
    }
}
