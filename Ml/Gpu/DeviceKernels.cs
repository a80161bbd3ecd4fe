using ILGPU;
using ILGPU.Runtime;

namespace Distributed.Ml.Gpu;

/// <summary>The device kernels compiled for one accelerator, and how to size their launches.</summary>
internal sealed class DeviceKernels
{
    /// <summary>Threads per group of the grid-stride kernels: a common choice that fits every device ILGPU targets.</summary>
    private const int StrideGroupThreads = 256;

    private readonly Accelerator _accelerator;

    public DeviceKernels(Accelerator accelerator)
    {
        _accelerator = accelerator;
        Sgemm = accelerator.LoadStreamKernel<SgemmShape, ArrayView<float>, ArrayView<float>, ArrayView<float>>(DeviceSgemm.Kernel);
        BiasActivation = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int, int, int>(DeviceBiasRelu.ForwardKernel);
        ReluBackward = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int>(DeviceBiasRelu.BackwardKernel);
        MseGradient = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float>(DeviceMse.GradientKernel);
        RowSquaredError = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<double>, int, int>(DeviceMse.RowSquaredErrorKernel);
        ColumnSum = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, int, int>(DeviceColumnSum.Kernel);
        Adam = accelerator.LoadStreamKernel<ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamStep>(DeviceAdam.Kernel);
    }

    public Action<KernelConfig, SgemmShape, ArrayView<float>, ArrayView<float>, ArrayView<float>> Sgemm { get; }

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, int, int> BiasActivation { get; }

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, int> ReluBackward { get; }

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, int, float> MseGradient { get; }

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<double>, int, int> RowSquaredError { get; }

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, int, int> ColumnSum { get; }

    public Action<KernelConfig, ArrayView<float>, ArrayView<float>, ArrayView<float>, ArrayView<float>, AdamStep> Adam { get; }

    /// <summary>
    /// Groups × threads for a grid-stride kernel over <paramref name="items"/> (at least one): at most
    /// one full wave of the device (every multiprocessor at its thread limit), fewer for few items.
    /// Each thread then walks the items with the grid's stride, so the launch need not grow with the data.
    /// </summary>
    public KernelConfig GridStride(long items)
    {
        var threads = Math.Min(StrideGroupThreads, _accelerator.MaxNumThreadsPerGroup);
        var wave = (long)_accelerator.NumMultiprocessors * Math.Max(1, _accelerator.MaxNumThreadsPerMultiprocessor / threads);
        var groups = (int)Math.Clamp((items + threads - 1) / threads, 1, wave);
        return new KernelConfig(groups, threads);
    }
}
