using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Serving;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Cluster.Grains;

/// <summary>
/// Predictions through <see cref="IPredictorGrain"/>: the HTTP API of a predictor silo answers the
/// way other .NET services are answered. The grain is a stateless worker, so the call stays in this
/// silo and its cost is a copy of the request's pixels.
/// </summary>
internal sealed class GrainPredictionSource(IGrainFactory grains) : IPredictionSource
{
    public async Task<PredictionAnswer> PredictAsync(Matrix images, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(images);
        var answer = await grains.GetGrain<IPredictorGrain>(IPredictorGrain.CurrentModel)
            .Predict(new PredictImages(images.Rows, images.Data), cancellationToken).ConfigureAwait(false);
        var probabilities = new Matrix(images.Rows, answer.ClusterIds.Length, answer.Probabilities);
        return new PredictionAnswer(answer.ModelVersion, answer.ClusterNames,
            new PipelinePrediction(answer.Clusters, probabilities, answer.ClusterIds, answer.Novelty.Length == 0 ? null : answer.Novelty));
    }
}
