using Distributed.Ml.Features;
using Distributed.Ml.Gpu;
using static System.FormattableString;

namespace Distributed.Bench.Entries;

/// <summary>
/// <c>autoencoder_train_cuda</c>: the dense N2D autoencoder trained by our cuda feature backend
/// (<see cref="GpuAutoencoder.Fit"/> on the first CUDA device ILGPU finds), timed as
/// <c>autoencoder_train</c> times our CPU backend, against the same network in PyTorch on the CPU.
/// The notes add our CPU backend's images/s, measured in the same run on the same epochs.
/// </summary>
/// <remarks>
/// Without a CUDA device the entry is skipped, saying why, and reports no figure: a number from
/// ILGPU's CPU accelerator would say nothing about a GPU.
/// </remarks>
internal sealed class AutoencoderTrainCudaEntry : IBenchEntry, IDisposable
{
    private GpuDevice? _device;

    public string Name => "autoencoder_train_cuda";

    public string QualityMetric => "final_epoch_mse";

    public void WarmUp(BenchData data)
    {
        _device ??= GpuDevice.TryOpenCuda(out var why) ?? throw new EntrySkippedException(why);
        AutoencoderTrainEntry.WarmUp(data, AutoencoderArchitecture.Dense, DeviceFit);
    }

    public EntryResult Run(BenchData data)
    {
        var (cuda, cudaImagesPerSecond) = AutoencoderTrainEntry.Measure(Name, data, AutoencoderArchitecture.Dense, DeviceFit);
        var (_, cpuImagesPerSecond) = AutoencoderTrainEntry.Measure(Name, data, AutoencoderArchitecture.Dense, (rows, options, epochCompleted) => Autoencoder.Fit(rows, options, epochCompleted));
        return cuda with
        {
            Notes = Invariant($"device {_device!.Name}; ") + cuda.Notes
                + Invariant($"; our CPU backend on the same epochs: {cpuImagesPerSecond:F0} images/s, the device {cudaImagesPerSecond / cpuImagesPerSecond:F1}× that"),
        };
    }

    public void Dispose() => _device?.Dispose();

    private AutoencoderModel DeviceFit(Ml.Numerics.Matrix rows, AutoencoderOptions options, Action<AutoencoderEpoch>? epochCompleted) =>
        GpuAutoencoder.Fit(_device!, rows, options, epochCompleted);
}
