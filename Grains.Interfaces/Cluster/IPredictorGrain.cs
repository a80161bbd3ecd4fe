namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>
/// Serves the current model on <c>predictor</c> silos, for other .NET services (through an Orleans
/// client) and for the silos' HTTP API. A stateless worker: every predictor silo answers with its
/// own copy of the model, which follows <see cref="IModelRegistryGrain"/>. Use the key
/// <see cref="CurrentModel"/>.
/// </summary>
public interface IPredictorGrain : IGrainWithStringKey
{
    /// <summary>The key of the predictor serving the current model.</summary>
    const string CurrentModel = "current";

    /// <summary>Labels a small batch of images.</summary>
    /// <param name="request">The images.</param>
    /// <param name="cancellationToken">Gives up on the prediction (the HTTP request timed out or went away).</param>
    /// <exception cref="ArgumentException">The pixels do not make <see cref="PredictImages.Count"/> images of 784 values in [0, 1].</exception>
    /// <exception cref="InvalidOperationException">No model is loaded yet.</exception>
    Task<ImagesPredicted> Predict(PredictImages request, CancellationToken cancellationToken = default);
}
