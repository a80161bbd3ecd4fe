using Distributed.Grains.Cluster.Grains;
using Distributed.Ml.Features;
using Distributed.Ml.Gpu;
using Distributed.Ml.Neural;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Tests.Cluster.Grains;

/// <summary>
/// What the cuda backend computes itself and what it hands to the CPU code, on ILGPU's CPU
/// accelerator. Its device fit and encoding are tested in the ML library (tests/Ml.Tests/Gpu): the
/// default network's 784-500-500-2000 products take minutes on the CPU accelerator.
/// </summary>
public sealed class CudaFeatureBackendTests : IDisposable
{
    private readonly CudaFeatureBackend _backend = new(GpuDevice.OpenCpuAccelerator());

    [Fact]
    public void TrainsTheDenseMseAutoencoderAndHandsTheRestToTheCpu()
    {
        var autoencoder = new PipelineOptions { Features = FeatureMethod.Autoencoder };
        Assert.Equal("cuda", _backend.TrainsOn(autoencoder));
        Assert.Equal("cpu", _backend.TrainsOn(autoencoder with { Autoencoder = new AutoencoderOptions { Architecture = AutoencoderArchitecture.Convolutional } }));
        Assert.Equal("cpu", _backend.TrainsOn(autoencoder with { Autoencoder = new AutoencoderOptions { Loss = LossFunction.BinaryCrossEntropy } }));
        Assert.Equal("cpu", _backend.TrainsOn(new PipelineOptions { Features = FeatureMethod.Pca }));
    }

    [Fact]
    public void PcaIsTheCpuBackendsBitForBit()
    {
        var rng = new Rng(3);
        var rows = new Matrix(40, 12, [.. Enumerable.Range(0, 480).Select(_ => rng.NextSingle())]);
        var options = new PipelineOptions { Features = FeatureMethod.Pca, PcaComponents = 4 };
        var cpu = new CpuFeatureBackend();
        var model = _backend.Train(rows, options);
        Assert.Equal(Bytes(cpu.Train(rows, options)), Bytes(model));
        Assert.Equal(cpu.Encode(model, rows).Data, _backend.Encode(model, rows).Data);
    }

    [Fact]
    public void TheConvolutionalAutoencoderTrainsAndEncodesOnTheCpu()
    {
        var images = new Matrix(6, 784);
        var options = new PipelineOptions
        {
            Features = FeatureMethod.Autoencoder,
            Autoencoder = new AutoencoderOptions { Architecture = AutoencoderArchitecture.Convolutional, Epochs = 1, BatchSize = 3 },
        };
        var cpu = new CpuFeatureBackend();
        var model = _backend.Train(images, options);
        Assert.Equal(Bytes(cpu.Train(images, options)), Bytes(model));
        Assert.Equal(cpu.Encode(model, images).Data, _backend.Encode(model, images).Data);
    }

    public void Dispose() => _backend.Dispose();

    private static byte[] Bytes(IFittedTransform model)
    {
        using var stream = new MemoryStream();
        model.Save(stream);
        return stream.ToArray();
    }
}
