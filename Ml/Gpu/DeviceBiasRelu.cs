using ILGPU;

namespace Distributed.Ml.Gpu;

/// <summary>
/// A dense layer's bias and optional ReLU after its product, and the ReLU's backward pass: the
/// device side of <see cref="Neural.Dense"/>'s bias and <see cref="Neural.Activation"/>'s ReLU.
/// </summary>
/// <remarks>
/// Element-wise, each value written by one thread: deterministic, and the same arithmetic as the
/// CPU layers (one float add, then max with 0), so the results are equal to theirs on equal inputs.
/// </remarks>
internal static class DeviceBiasRelu
{
    /// <summary>Enqueues values[r, c] = relu?(values[r, c] + bias[c]) over rows × cols values, in place.</summary>
    public static void Forward(DeviceKernels kernels, ArrayView<float> values, ArrayView<float> bias, int rows, int cols, bool relu)
    {
        DeviceChecks.Length(values, (long)rows * cols, nameof(values));
        DeviceChecks.Length(bias, cols, nameof(bias));
        if (rows * cols > 0)
        {
            kernels.BiasActivation(kernels.GridStride((long)rows * cols), values, bias, rows, cols, relu ? 1 : 0);
        }
    }

    /// <summary>
    /// Enqueues gradient[i] = output[i] &gt; 0 ? gradient[i] : 0 over <paramref name="count"/> values,
    /// in place: ∂loss/∂input of a ReLU from its output, as the CPU layer computes it.
    /// </summary>
    public static void Backward(DeviceKernels kernels, ArrayView<float> gradient, ArrayView<float> output, int count)
    {
        DeviceChecks.Length(gradient, count, nameof(gradient));
        DeviceChecks.Length(output, count, nameof(output));
        if (count > 0)
        {
            kernels.ReluBackward(kernels.GridStride(count), gradient, output, count);
        }
    }

    internal static void ForwardKernel(ArrayView<float> values, ArrayView<float> bias, int rows, int cols, int relu)
    {
        var total = rows * cols;
        var stride = Grid.DimX * Group.DimX;
        for (var i = Grid.GlobalIndex.X; i < total; i += stride)
        {
            var value = values[i] + bias[i % cols];
            // Written so that NaN stays NaN, as the CPU's max does: a diverging fit must show in its loss.
            values[i] = relu != 0 && value < 0f ? 0f : value;
        }
    }

    internal static void BackwardKernel(ArrayView<float> gradient, ArrayView<float> output, int count)
    {
        var stride = Grid.DimX * Group.DimX;
        for (var i = Grid.GlobalIndex.X; i < count; i += stride)
        {
            gradient[i] = output[i] > 0f ? gradient[i] : 0f;
        }
    }
}
