using Distributed.Ml.Numerics;

namespace Distributed.Grains.Serving;

/// <summary>
/// Where the predictor HTTP API gets its predictions: the host's own <see cref="Predictor"/>
/// (<c>serve</c>, a Silo given only <c>--model</c>), or the cluster's predictor grain on predictor silos.
/// </summary>
public interface IPredictionSource
{
    /// <summary>Predicts a batch of decoded images (rows of 784 values in [0, 1]).</summary>
    /// <returns>The prediction, with the version and cluster names of the model that made it.</returns>
    /// <exception cref="InvalidOperationException">No model is loaded yet.</exception>
    Task<PredictionAnswer> PredictAsync(Matrix images, CancellationToken cancellationToken);
}
