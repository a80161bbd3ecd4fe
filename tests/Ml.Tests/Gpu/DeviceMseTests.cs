using ILGPU.Runtime;
using Distributed.Ml.Gpu;
using Distributed.Ml.Neural;

namespace Distributed.Ml.Tests.Gpu;

[Collection(DeviceCollection.Name)]
public sealed class DeviceMseTests(DeviceFixture fixture)
{
    [Theory]
    [InlineData(1, 1)]
    [InlineData(3, 7)]
    [InlineData(1, 257)]
    [InlineData(16, 784)]
    [InlineData(300, 2)]
    public void GradientAndLossEqualTheCpuLoss(int rows, int cols)
    {
        var prediction = DeviceBiasReluTests.Values(rows * cols, seed: 5);
        var target = DeviceBiasReluTests.Values(rows * cols, seed: 6).Select(v => (v + 1) / 2).ToArray();
        var expectedGradient = new float[rows * cols];
        var expectedLoss = Loss.Compute(LossFunction.MeanSquaredError, prediction, target, expectedGradient);

        using var hold = fixture.Device.Use();
        var accelerator = fixture.Device.Accelerator;
        using var devicePrediction = accelerator.Allocate1D(prediction);
        using var deviceTarget = accelerator.Allocate1D(target);
        using var gradient = accelerator.Allocate1D<float>(rows * cols);
        using var rowSums = accelerator.Allocate1D<double>(rows);
        DeviceMse.Gradient(fixture.Device.Kernels, devicePrediction.View, deviceTarget.View, gradient.View, rows, cols);
        DeviceMse.RowSquaredErrors(fixture.Device.Kernels, devicePrediction.View, deviceTarget.View, rowSums.View, rows, cols);

        // Element-wise with the CPU's float arithmetic: the same bits.
        Assert.Equal(expectedGradient, gradient.GetAsArray1D());
        var sums = rowSums.GetAsArray1D();
        for (var r = 0; r < rows; r++)
        {
            // Each row summed in column order in double, as the CPU does: the same bits.
            double rowTotal = 0;
            for (var c = 0; c < cols; c++)
            {
                var difference = prediction[r * cols + c] - target[r * cols + c];
                rowTotal += difference * difference;
            }
            Assert.Equal(rowTotal, sums[r]);
        }
        // The CPU sums every value in one running total, the device per row: double rounding apart.
        Assert.Equal(expectedLoss, sums.Sum() / (rows * cols), 1e-12);
    }
}
