using ILGPU;

namespace Distributed.Ml.Gpu;

/// <summary>
/// The mean squared error of a reconstruction on the device: its gradient, and each row's sum of
/// squared differences, from which the host forms the loss as <see cref="Neural.Loss.Compute"/> does.
/// </summary>
/// <remarks>
/// The gradient is element-wise with the CPU's arithmetic (2·(1/count)·(p − t) in float). A row's sum
/// is taken by one thread, in column order, in double as the CPU's total is; the rows are added on the
/// host in order. No atomics anywhere: deterministic.
/// </remarks>
internal static class DeviceMse
{
    /// <summary>Enqueues gradient = 2/(rows·cols)·(prediction − target) over rows × cols values.</summary>
    public static void Gradient(DeviceKernels kernels, ArrayView<float> prediction, ArrayView<float> target, ArrayView<float> gradient, int rows, int cols)
    {
        var count = rows * cols;
        DeviceChecks.Length(prediction, count, nameof(prediction));
        DeviceChecks.Length(target, count, nameof(target));
        DeviceChecks.Length(gradient, count, nameof(gradient));
        if (count > 0)
        {
            // The CPU's scale, computed the same way.
            kernels.MseGradient(kernels.GridStride(count), prediction, target, gradient, count, 1f / count);
        }
    }

    /// <summary>Enqueues rowSums[r] = Σ_c (prediction[r, c] − target[r, c])² for each of <paramref name="rows"/> rows.</summary>
    public static void RowSquaredErrors(DeviceKernels kernels, ArrayView<float> prediction, ArrayView<float> target, ArrayView<double> rowSums, int rows, int cols)
    {
        DeviceChecks.Length(prediction, (long)rows * cols, nameof(prediction));
        DeviceChecks.Length(target, (long)rows * cols, nameof(target));
        DeviceChecks.Length(rowSums, rows, nameof(rowSums));
        if (rows > 0)
        {
            kernels.RowSquaredError(kernels.GridStride(rows), prediction, target, rowSums, rows, cols);
        }
    }

    internal static void GradientKernel(ArrayView<float> prediction, ArrayView<float> target, ArrayView<float> gradient, int count, float scale)
    {
        var stride = Grid.DimX * Group.DimX;
        for (var i = Grid.GlobalIndex.X; i < count; i += stride)
        {
            gradient[i] = 2f * scale * (prediction[i] - target[i]);
        }
    }

    internal static void RowSquaredErrorKernel(ArrayView<float> prediction, ArrayView<float> target, ArrayView<double> rowSums, int rows, int cols)
    {
        var stride = Grid.DimX * Group.DimX;
        for (var r = Grid.GlobalIndex.X; r < rows; r += stride)
        {
            double total = 0;
            var start = (long)r * cols;
            for (var c = 0; c < cols; c++)
            {
                var difference = prediction[start + c] - target[start + c];
                total += difference * difference;
            }
            rowSums[r] = total;
        }
    }
}
