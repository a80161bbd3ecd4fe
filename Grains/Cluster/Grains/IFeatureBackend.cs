using Distributed.Ml.Features;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Cluster.Grains;

/// <summary>
/// Where feature extraction computes: chosen once when the silo starts. The CPU backend is the
/// only one in this build; a CUDA backend would train and encode the same models on the GPU.
/// </summary>
public interface IFeatureBackend
{
    /// <summary>Name reported in answers and logs (e.g. <c>cpu</c>).</summary>
    string Name { get; }

    /// <summary>Fits the feature extractor the options ask for on the sample rows.</summary>
    IFittedTransform Train(Matrix sample, PipelineOptions options);

    /// <summary>Encodes rows with a fitted extractor.</summary>
    Matrix Encode(IFittedTransform model, Matrix rows);
}
