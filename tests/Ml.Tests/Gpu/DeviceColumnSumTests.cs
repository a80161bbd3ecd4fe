using ILGPU.Runtime;
using Distributed.Ml.Gpu;
using Distributed.Ml.Neural;

namespace Distributed.Ml.Tests.Gpu;

[Collection(DeviceCollection.Name)]
public sealed class DeviceColumnSumTests(DeviceFixture fixture)
{
    [Theory]
    [InlineData(0, 5)]
    [InlineData(1, 1)]
    [InlineData(7, 3)]
    [InlineData(256, 10)]
    [InlineData(3, 300)]
    [InlineData(33, 257)]
    public void EqualsTheDenseLayersBiasGradient(int rows, int cols)
    {
        var gradient = DeviceBiasReluTests.Values(rows * cols, seed: (ulong)(rows * 1000 + cols));
        // A dense layer's bias gradient is the column sum of its output gradient.
        var dense = new Dense(1, cols, new Distributed.Ml.Numerics.Rng(1));
        dense.Backward(new float[rows], new float[rows * cols], gradient, [], rows);
        var expected = dense.Parameters[1].Gradient;

        using var hold = fixture.Device.Use();
        using var values = fixture.Device.Accelerator.Allocate1D(DeviceBiasReluTests.NonEmpty(gradient));
        using var sums = fixture.Device.Accelerator.Allocate1D<float>(cols);
        DeviceColumnSum.Run(fixture.Device.Kernels, values.View, sums.View, rows, cols);
        // Each column summed over the rows in the same order, in float: the same bits.
        Assert.Equal(expected, sums.GetAsArray1D());
    }
}
