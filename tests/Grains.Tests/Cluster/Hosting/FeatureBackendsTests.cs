using Distributed.Grains.Cluster.Grains;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Ml.Gpu;

namespace Distributed.Grains.Tests.Cluster.Hosting;

/// <summary>The choice of a silo's feature backend, with the device search replaced: no device, or ILGPU's CPU accelerator standing in for a GPU.</summary>
public sealed class FeatureBackendsTests
{
    private const string NoDevice = "no CUDA device found; ILGPU needs the NVIDIA driver's libcuda.so and a supported GPU";

    private static readonly IReadOnlyList<string> s_gpuSilo = [SiloRoles.Gpu, SiloRoles.Cpu];

    [Theory]
    [InlineData(null, FeatureBackendChoice.Auto)]
    [InlineData("", FeatureBackendChoice.Auto)]
    [InlineData("auto", FeatureBackendChoice.Auto)]
    [InlineData("cpu", FeatureBackendChoice.Cpu)]
    [InlineData(" CUDA ", FeatureBackendChoice.Cuda)]
    public void ParsesTheSetting(string? text, FeatureBackendChoice expected) => Assert.Equal(expected, FeatureBackends.Parse(text));

    [Fact]
    public void AnyOtherSettingIsAOneLineError()
    {
        var error = Assert.Throws<ArgumentException>(() => FeatureBackends.Parse("gpu"));
        Assert.Equal("--feature-backend must be auto, cpu or cuda, got 'gpu'", error.Message);
    }

    [Fact]
    public void AutoWithoutACudaDeviceIsTheCpuAndSaysWhy()
    {
        var selection = FeatureBackends.Select(FeatureBackendChoice.Auto, s_gpuSilo, () => (null, NoDevice));
        Assert.IsType<CpuFeatureBackend>(selection.Backend);
        Assert.Equal($"auto: {NoDevice}", selection.Reason);
    }

    [Fact]
    public void AutoOnASiloWithoutTheGpuRoleLooksForNoDevice()
    {
        var selection = FeatureBackends.Select(FeatureBackendChoice.Auto, [SiloRoles.Cpu, SiloRoles.Coordinator], () => throw new InvalidOperationException("looked for a device"));
        Assert.Equal(CpuFeatureBackend.BackendName, selection.Backend.Name);
        Assert.Equal("auto: no gpu role", selection.Reason);
    }

    [Fact]
    public void CpuLooksForNoDevice()
    {
        var selection = FeatureBackends.Select(FeatureBackendChoice.Cpu, s_gpuSilo, () => throw new InvalidOperationException("looked for a device"));
        Assert.IsType<CpuFeatureBackend>(selection.Backend);
    }

    [Fact]
    public void ForcedCudaWithoutADeviceIsAOneLineErrorNamingTheSetting()
    {
        var error = Assert.Throws<FeatureBackendUnavailableException>(() => FeatureBackends.Select(FeatureBackendChoice.Cuda, s_gpuSilo, () => (null, NoDevice)));
        Assert.Equal($"--feature-backend cuda: {NoDevice} (use cpu or auto on this machine)", error.Message);
        Assert.DoesNotContain('\n', error.Message);
    }

    [Theory]
    [InlineData(FeatureBackendChoice.Auto, "auto: CPUAccelerator")]
    [InlineData(FeatureBackendChoice.Cuda, "--feature-backend cuda: CPUAccelerator")]
    public void AFoundDeviceGivesTheCudaBackend(FeatureBackendChoice choice, string reason)
    {
        var selection = FeatureBackends.Select(choice, s_gpuSilo, () => (GpuDevice.OpenCpuAccelerator(), ""));
        using var backend = Assert.IsType<CudaFeatureBackend>(selection.Backend);
        Assert.Equal(CudaFeatureBackend.BackendName, backend.Name);
        Assert.Equal(reason, selection.Reason);
    }
}
