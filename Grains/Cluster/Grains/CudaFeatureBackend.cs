using Distributed.Ml.Features;
using Distributed.Ml.Gpu;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Cluster.Grains;

/// <summary>
/// Feature extraction on a CUDA GPU through the ML library's device kernels: the dense autoencoder
/// with the MSE loss (the default) trains and encodes on the device, with the CPU backend's seeded
/// weights, sample and batch order, and gives the same kind of model. The rest is handed to the CPU
/// code on this silo: PCA (a second or two on the CPU: not worth a device) and the convolutional
/// autoencoder and cross-entropy loss, which the device kernels do not cover;
/// <see cref="TrainsOn"/> says which, and the job records it.
/// </summary>
/// <remarks>
/// Deterministic for one device kind: a fit or an encoding repeats bit for bit, and a row's
/// features do not depend on its shard, so any number of silos of this backend gives the same
/// result. It agrees with the CPU backend to float rounding, not bit for bit (see <see cref="GpuAutoencoder"/>).
/// </remarks>
public sealed class CudaFeatureBackend : IFeatureBackend, IDisposable
{
    /// <summary>The backend's name.</summary>
    public const string BackendName = "cuda";

    private readonly GpuDevice _device;
    private readonly CpuFeatureBackend _cpu = new();

    /// <summary>A backend on <paramref name="device"/>, which it owns from now on (the tests give it ILGPU's CPU accelerator).</summary>
    public CudaFeatureBackend(GpuDevice device)
    {
        ArgumentNullException.ThrowIfNull(device);
        _device = device;
    }

    /// <inheritdoc/>
    public string Name => BackendName;

    /// <summary>The device's name, as its driver gives it.</summary>
    public string DeviceName => _device.Name;

    /// <inheritdoc/>
    public string TrainsOn(PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Features == FeatureMethod.Autoencoder && GpuAutoencoder.CanTrain(options.Autoencoder) ? BackendName : _cpu.Name;
    }

    /// <inheritdoc/>
    public IFittedTransform Train(IRowSource sample, PipelineOptions options, CancellationToken cancellationToken = default) =>
        TrainsOn(options) == BackendName
            ? GpuAutoencoder.Fit(_device, sample.ToMatrix(), ClusteringPipeline.AutoencoderOptions(options), cancellationToken: cancellationToken)
            : _cpu.Train(sample, options, cancellationToken);

    /// <inheritdoc/>
    /// <remarks>The device's own block: each <see cref="Encode"/> call builds the encoder on the device once.</remarks>
    public int EncodeBlockRows => GpuAutoencoder.EncodeBlockRows;

    /// <inheritdoc/>
    public Matrix Encode(IFittedTransform model, Matrix rows) =>
        model is AutoencoderModel autoencoder && GpuAutoencoder.CanEncode(autoencoder) ? GpuAutoencoder.Encode(_device, autoencoder, rows) : _cpu.Encode(model, rows);

    /// <inheritdoc/>
    public void Dispose() => _device.Dispose();
}
