using Distributed.Ml.Gpu;

namespace Distributed.Ml.Tests.Gpu;

/// <summary>
/// The device the kernel tests run on: ILGPU's CPU accelerator, so they run in CI without a GPU;
/// with <c>DISTRIBUTED_TEST_DEVICE=cuda</c> the first CUDA GPU instead (the test fails when there is
/// none), to run the same tests on the hardware. One device for the collection: its kernels compile once.
/// </summary>
public sealed class DeviceFixture : IDisposable
{
    /// <summary>Environment variable that moves the tests to a CUDA GPU.</summary>
    public const string DeviceVariable = "DISTRIBUTED_TEST_DEVICE";

    public DeviceFixture()
    {
        Device = Environment.GetEnvironmentVariable(DeviceVariable) == "cuda"
            ? GpuDevice.TryOpenCuda(out var why) ?? throw new InvalidOperationException($"{DeviceVariable}=cuda: {why}")
            : GpuDevice.OpenCpuAccelerator();
    }

    public GpuDevice Device { get; }

    public void Dispose() => Device.Dispose();
}

/// <summary>The device tests share one device and run one after another (a launch on the CPU accelerator takes every core).</summary>
[CollectionDefinition(Name)]
public sealed class DeviceCollection : ICollectionFixture<DeviceFixture>
{
    public const string Name = "device";
}
