using Distributed.Ml.Features;
using Distributed.Ml.Gpu;
using Distributed.Ml.Neural;
using Distributed.Ml.Numerics;
using ILGPU.Runtime;

namespace Distributed.Ml.Tests.Gpu;

[Collection(DeviceCollection.Name)]
public sealed class DeviceDenseNetworkTests(DeviceFixture fixture)
{
    /// <summary>
    /// Relative tolerance of outputs and gradients against the CPU network: float sums of at most a
    /// few dozen products, in another order, through six layers, move values by a few units of 1e-7
    /// of their scale; 1e-5 leaves room for that and still fails on any wrong index or transpose.
    /// </summary>
    private const float Tolerance = 1e-5f;

    [Fact]
    public void ForwardAndGradientsMatchTheCpuLayers()
    {
        const int batch = 11, width = 13;
        var (layers, _) = AutoencoderNetworks.Build(AutoencoderArchitecture.Dense, width, 3, [9, 5], new Rng(4));
        var cpu = new Network(layers, batch);
        var input = DeviceBiasReluTests.Values(batch * width, seed: 8).Select(v => (v + 1) / 2).ToArray();
        var cpuOutput = cpu.Forward(input, batch, training: true).ToArray();
        var cpuLossGradient = new float[batch * width];
        Loss.Compute(LossFunction.MeanSquaredError, cpuOutput, input, cpuLossGradient);
        cpu.Backward(input, cpuLossGradient, batch);
        var cpuGradients = cpu.Parameters.Select(p => (float[])p.Gradient.Clone()).ToArray();

        using var hold = fixture.Device.Use();
        var accelerator = fixture.Device.Accelerator;
        using var network = new DeviceDenseNetwork(fixture.Device, layers, batch, training: true);
        using var deviceInput = accelerator.Allocate1D(input);
        using var lossGradient = accelerator.Allocate1D<float>(batch * width);
        var output = network.Forward(deviceInput.View, batch);
        var deviceOutput = new float[batch * width];
        output.CopyToCPU(ref deviceOutput[0], deviceOutput.Length);
        AssertClose(cpuOutput, deviceOutput, "output");
        DeviceMse.Gradient(fixture.Device.Kernels, output, deviceInput.View, lossGradient.View, batch, width);
        network.Backward(deviceInput.View, lossGradient.View, batch);
        network.DownloadGradients(layers);

        var parameters = cpu.Parameters.ToArray();
        for (var p = 0; p < parameters.Length; p++)
        {
            AssertClose(cpuGradients[p], parameters[p].Gradient, $"gradient of parameter {p} ({parameters[p].Name})");
        }
    }

    [Fact]
    public void RunsDenseLayersWithTheirRelusAndNothingElse()
    {
        var (dense, _) = AutoencoderNetworks.Build(AutoencoderArchitecture.Dense, 6, 2, [4], new Rng(1));
        Assert.True(DeviceDenseNetwork.Supports(dense));
        var (convolutional, _) = AutoencoderNetworks.Build(AutoencoderArchitecture.Convolutional, 784, 2, null, new Rng(1));
        Assert.False(DeviceDenseNetwork.Supports(convolutional));
        Assert.False(DeviceDenseNetwork.Supports([new Dense(3, 3, new Rng(1)), new Activation(TensorShape.Vector(3), ActivationKind.Sigmoid)]));
        using var hold = fixture.Device.Use();
        Assert.Throws<NotSupportedException>(() => new DeviceDenseNetwork(fixture.Device, convolutional, 1, training: false));
        // The encoder of 6-4-2 (dense, ReLU, dense) runs alone and ends in the bottleneck; a prefix
        // that splits the first dense layer from its ReLU does not run; training runs every layer.
        using (var encoder = new DeviceDenseNetwork(fixture.Device, dense, 1, training: false, runLayers: 3))
        {
            Assert.Equal((2, 2), (encoder.RunLayers, encoder.OutputWidth));
        }
        Assert.Throws<NotSupportedException>(() => new DeviceDenseNetwork(fixture.Device, dense, 1, training: false, runLayers: 1));
        Assert.Throws<ArgumentException>(() => new DeviceDenseNetwork(fixture.Device, dense, 1, training: true, runLayers: 3));
    }

    private static void AssertClose(float[] expected, float[] actual, string what)
    {
        Assert.Equal(expected.Length, actual.Length);
        var scale = Math.Max(expected.Max(Math.Abs), 1e-30f);
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.True(Math.Abs(expected[i] - actual[i]) <= Tolerance * scale, $"{what}[{i}]: CPU {expected[i]}, device {actual[i]} (scale {scale})");
        }
    }
}
