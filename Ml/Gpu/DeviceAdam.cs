using Distributed.Ml.Neural;
using ILGPU;

namespace Distributed.Ml.Gpu;

/// <summary>
/// One Adam step (<see cref="AdamOptimizer"/>) over every parameter of a network at once: values,
/// gradients and both moments live in one device buffer each, so a step is one launch.
/// </summary>
/// <remarks>Element-wise with the CPU optimiser's arithmetic and bias correction: deterministic.</remarks>
internal static class DeviceAdam
{
    /// <summary>Enqueues step <paramref name="step"/> (1-based) of Adam with the CPU optimiser's defaults.</summary>
    public static void Run(DeviceKernels kernels, ArrayView<float> values, ArrayView<float> gradients, ArrayView<float> first, ArrayView<float> second,
        float learningRate, int step)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(step, 1);
        var count = values.Length;
        DeviceChecks.Length(gradients, count, nameof(gradients));
        DeviceChecks.Length(first, count, nameof(first));
        DeviceChecks.Length(second, count, nameof(second));
        const float beta1 = AdamOptimizer.DefaultBeta1, beta2 = AdamOptimizer.DefaultBeta2;
        var (stepSize, epsilon) = AdamOptimizer.BiasCorrected(learningRate, beta1, beta2, AdamOptimizer.DefaultEpsilon, step);
        if (count > 0)
        {
            kernels.Adam(kernels.GridStride(count), values, gradients, first, second, new AdamStep(beta1, beta2, 1 - beta1, 1 - beta2, stepSize, epsilon));
        }
    }

    internal static void Kernel(ArrayView<float> values, ArrayView<float> gradients, ArrayView<float> first, ArrayView<float> second, AdamStep s)
    {
        var count = values.IntLength;
        var stride = Grid.DimX * Group.DimX;
        for (var i = Grid.GlobalIndex.X; i < count; i += stride)
        {
            var g = gradients[i];
            var m = s.Beta1 * first[i] + s.OneMinusBeta1 * g;
            var v = s.Beta2 * second[i] + s.OneMinusBeta2 * g * g;
            first[i] = m;
            second[i] = v;
            values[i] -= s.StepSize * m / (MathF.Sqrt(v) + s.Epsilon);
        }
    }
}
