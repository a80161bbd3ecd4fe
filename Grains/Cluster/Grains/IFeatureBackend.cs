using Distributed.Ml.Features;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Cluster.Grains;

/// <summary>
/// Where feature extraction computes: chosen once when the silo starts (see
/// <see cref="Hosting.FeatureBackends"/>): the CPU (<see cref="CpuFeatureBackend"/>), or a CUDA GPU
/// (<see cref="CudaFeatureBackend"/>), which hands what it cannot do to the CPU code.
/// </summary>
public interface IFeatureBackend
{
    /// <summary>Name reported in answers, logs and metrics (<c>cpu</c>, <c>cuda</c>).</summary>
    string Name { get; }

    /// <summary>The name of the backend that computes a fit of these options on this silo: this one, or <c>cpu</c> for what this one hands to the CPU code.</summary>
    string TrainsOn(PipelineOptions options);

    /// <summary>
    /// Fits the feature extractor the options ask for on the sample rows; <paramref name="cancellationToken"/>
    /// stops a network's training between batches. PCA passes over the rows where they are; a
    /// network, which draws batches at random, reads them all into memory first.
    /// </summary>
    IFittedTransform Train(IRowSource sample, PipelineOptions options, CancellationToken cancellationToken = default);

    /// <summary>Encodes rows with a fitted extractor; each row's features do not depend on the rows encoded with it.</summary>
    Matrix Encode(IFittedTransform model, Matrix rows);

    /// <summary>Rows of a shard to read and hand to <see cref="Encode"/> at once.</summary>
    int EncodeBlockRows { get; }
}
