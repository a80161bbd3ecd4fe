using ILGPU.Runtime;
using Distributed.Ml.Gpu;
using Distributed.Ml.Neural;

namespace Distributed.Ml.Tests.Gpu;

[Collection(DeviceCollection.Name)]
public sealed class DeviceAdamTests(DeviceFixture fixture)
{
    [Theory]
    [InlineData(1)]
    [InlineData(7)]
    [InlineData(256)]
    [InlineData(1001)]
    public void StepsEqualTheCpuOptimizer(int count)
    {
        const float learningRate = 0.01f;
        const int steps = 4;
        var parameter = new Parameter("p", count);
        DeviceBiasReluTests.Values(count, seed: 7).CopyTo(parameter.Value, 0);
        var initial = (float[])parameter.Value.Clone();
        var cpu = new AdamOptimizer([parameter], learningRate);

        using var hold = fixture.Device.Use();
        var accelerator = fixture.Device.Accelerator;
        using var values = accelerator.Allocate1D(initial);
        using var gradients = accelerator.Allocate1D<float>(count);
        using var first = accelerator.Allocate1D<float>(count);
        using var second = accelerator.Allocate1D<float>(count);
        first.MemSetToZero();
        second.MemSetToZero();
        for (var step = 1; step <= steps; step++)
        {
            // Gradients of either sign and of very different sizes, some exactly zero.
            var gradient = DeviceBiasReluTests.Values(count, seed: 100 + (ulong)step).Select((g, i) => i % 5 == 0 ? 0f : g * MathF.Pow(10, i % 3 - 1)).ToArray();
            gradient.CopyTo(parameter.Gradient, 0);
            cpu.Step();
            gradients.CopyFromCPU(gradient);
            DeviceAdam.Run(fixture.Device.Kernels, values.View, gradients.View, first.View, second.View, learningRate, step);
        }

        var device = values.GetAsArray1D();
        for (var i = 0; i < count; i++)
        {
            // The same float operations in the same order; a GPU may fuse the moments' multiply-adds,
            // which moves a value by an ulp or two of the parameter, far below a step (lr 0.01).
            Assert.True(Math.Abs(parameter.Value[i] - device[i]) <= 1e-6f * Math.Max(1f, Math.Abs(device[i])),
                $"parameter {i} of {count}: CPU {parameter.Value[i]}, device {device[i]}");
            if (i % 5 != 0)
            {
                Assert.NotEqual(initial[i], device[i]);
            }
        }
    }
}
