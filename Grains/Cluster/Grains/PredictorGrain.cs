using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Serving;
using Distributed.Ml.Data;
using Distributed.Ml.Numerics;
using MassTransit;

namespace Distributed.Grains.Cluster.Grains;

/// <summary>
/// Predictor grain (predictor role): answers <see cref="PredictImages"/> with the silo's
/// <see cref="Predictor"/>. Model swaps arrive through <see cref="ModelReloadGrain"/>.
/// </summary>
public sealed class PredictorGrain(Predictor predictor, GrainContext grain) : IConsumer<PredictImages>
{
    /// <inheritdoc/>
    public async Task Consume(ConsumeContext<PredictImages> context)
    {
        var request = context.Message;
        if (request.Count < 1 || request.Pixels.Length != request.Count * ImageShape.Pixels)
        {
            throw new ArgumentException($"{request.Count} images need {request.Count * ImageShape.Pixels} pixel values, got {request.Pixels.Length}");
        }
        var (model, prediction) = await predictor.PredictAsync(new Matrix(request.Count, ImageShape.Pixels, request.Pixels), context.CancellationToken).ConfigureAwait(false);
        await context.RespondAsync(new ImagesPredicted(model.Version, prediction.Clusters, prediction.Novelty ?? [], grain.SiloId)).ConfigureAwait(false);
    }
}
