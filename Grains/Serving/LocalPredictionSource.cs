using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Serving;

/// <summary>Predictions from this host's own <see cref="Predictor"/>: hosts without a cluster.</summary>
internal sealed class LocalPredictionSource(Predictor predictor) : IPredictionSource
{
    public async Task<(string ModelVersion, PipelinePrediction Prediction)> PredictAsync(Matrix images, CancellationToken cancellationToken)
    {
        var (model, prediction) = await predictor.PredictAsync(images, cancellationToken).ConfigureAwait(false);
        return (model.Version, prediction);
    }
}
