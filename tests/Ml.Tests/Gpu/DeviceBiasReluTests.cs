using ILGPU.Runtime;
using Distributed.Ml.Gpu;
using Distributed.Ml.Neural;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Gpu;

[Collection(DeviceCollection.Name)]
public sealed class DeviceBiasReluTests(DeviceFixture fixture)
{
    /// <summary>
    /// Shapes around the grid-stride kernels' 256-thread groups (under, at, over one group, and over a
    /// whole wave of the CPU accelerator, which is one group), with one- and many-column biases.
    /// A launch on the CPU accelerator costs milliseconds, so not every length 0..256.
    /// </summary>
    public static TheoryData<int, int> Shapes() => new() { { 0, 3 }, { 1, 1 }, { 3, 7 }, { 16, 16 }, { 1, 257 }, { 37, 29 }, { 5, 784 } };

    [Theory]
    [MemberData(nameof(Shapes))]
    public void ForwardEqualsTheCpuBiasAndReluLayer(int rows, int cols)
    {
        var (values, bias) = (Values(rows * cols, seed: 1), Values(cols, seed: 2));
        // The CPU: the dense layer adds the bias row by row, then the ReLU layer.
        var sum = (float[])values.Clone();
        for (var r = 0; r < rows; r++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(sum.AsSpan(r * cols, cols), bias, sum.AsSpan(r * cols, cols));
        }
        var expected = new float[rows * cols];
        new Activation(TensorShape.Vector(Math.Max(cols, 1)), ActivationKind.Relu).Forward(sum, expected, cols == 0 ? 0 : rows, training: true);

        foreach (var relu in new[] { true, false })
        {
            using var hold = fixture.Device.Use();
            using var deviceValues = fixture.Device.Accelerator.Allocate1D(NonEmpty(values));
            using var deviceBias = fixture.Device.Accelerator.Allocate1D(bias);
            DeviceBiasRelu.Forward(fixture.Device.Kernels, deviceValues.View, deviceBias.View, rows, cols, relu);
            // One float add and a comparison: the same bits as the CPU.
            Assert.Equal(relu ? expected : sum, deviceValues.GetAsArray1D()[..values.Length]);
        }
    }

    [Theory]
    [MemberData(nameof(Shapes))]
    public void BackwardEqualsTheCpuReluLayer(int rows, int cols)
    {
        var count = rows * cols;
        var output = Values(count, seed: 3).Select(v => Math.Max(v, 0f)).ToArray();
        var gradient = Values(count, seed: 4);
        var expected = new float[count];
        new Activation(TensorShape.Vector(Math.Max(cols, 1)), ActivationKind.Relu).Backward(output, output, gradient, expected, cols == 0 ? 0 : rows);

        using var hold = fixture.Device.Use();
        using var deviceGradient = fixture.Device.Accelerator.Allocate1D(NonEmpty(gradient));
        using var deviceOutput = fixture.Device.Accelerator.Allocate1D(NonEmpty(output));
        DeviceBiasRelu.Backward(fixture.Device.Kernels, deviceGradient.View, deviceOutput.View, count);
        Assert.Equal(expected, deviceGradient.GetAsArray1D()[..count]);
    }

    [Fact]
    public void NanStaysNanThroughTheRelu()
    {
        using var hold = fixture.Device.Use();
        using var values = fixture.Device.Accelerator.Allocate1D(new[] { float.NaN, -1f });
        using var bias = fixture.Device.Accelerator.Allocate1D(new[] { 0f, 0f });
        DeviceBiasRelu.Forward(fixture.Device.Kernels, values.View, bias.View, 1, 2, relu: true);
        Assert.Equal(new[] { float.NaN, 0f }, values.GetAsArray1D());
    }

    /// <summary>ILGPU allocates no empty buffer: an empty input travels as one unused value.</summary>
    internal static float[] NonEmpty(float[] values) => values.Length == 0 ? [0f] : values;

    internal static float[] Values(int count, ulong seed)
    {
        var rng = new Rng(seed);
        return [.. Enumerable.Range(0, count).Select(_ => rng.NextSingle() * 2 - 1)];
    }
}
