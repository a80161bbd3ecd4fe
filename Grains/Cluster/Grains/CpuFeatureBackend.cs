using Distributed.Ml;
using Distributed.Ml.Features;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Cluster.Grains;

/// <summary>Feature extraction on the CPU (OpenBLAS or managed SGEMM), as the embedded pipeline does it.</summary>
public sealed class CpuFeatureBackend : IFeatureBackend
{
    /// <summary>The backend's name.</summary>
    public const string BackendName = "cpu";

    /// <inheritdoc/>
    public string Name => BackendName;

    /// <inheritdoc/>
    public string TrainsOn(PipelineOptions options) => BackendName;

    /// <inheritdoc/>
    public IFittedTransform Train(IRowSource sample, PipelineOptions options, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Features switch
        {
            FeatureMethod.Autoencoder => Autoencoder.Fit(sample.ToMatrix(), ClusteringPipeline.AutoencoderOptions(options), cancellationToken: cancellationToken),
            FeatureMethod.Pca => Pca.Fit(sample, new PcaOptions { Components = options.PcaComponents }),
            _ => throw new OptionsException($"{{0}} {ChoiceNames.Of(options.Features)} has no extractor to train", PipelineSetting.Features),
        };
    }

    /// <inheritdoc/>
    /// <remarks>
    /// 2,048: 6.4 MB of pixels as floats, read into one buffer block after block. A whole shard
    /// read into a new matrix (31 MB for 10,000 images) cost more in first touches of fresh memory
    /// than PCA's projection of it on the machines measured.
    /// </remarks>
    public int EncodeBlockRows => 2048;

    /// <inheritdoc/>
    public Matrix Encode(IFittedTransform model, Matrix rows)
    {
        ArgumentNullException.ThrowIfNull(model);
        return model.Transform(rows);
    }
}
