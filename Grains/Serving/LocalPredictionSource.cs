using Distributed.Ml.Numerics;

namespace Distributed.Grains.Serving;

/// <summary>Predictions from this host's own <see cref="Predictor"/>: hosts without a cluster.</summary>
internal sealed class LocalPredictionSource(Predictor predictor) : IPredictionSource
{
    public async Task<PredictionAnswer> PredictAsync(Matrix images, CancellationToken cancellationToken)
    {
        var (model, prediction) = await predictor.PredictAsync(images, cancellationToken).ConfigureAwait(false);
        return new PredictionAnswer(model.Version, model.Manifest.ClusterNames, prediction);
    }
}
