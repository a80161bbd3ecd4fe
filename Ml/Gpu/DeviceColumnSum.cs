using ILGPU;

namespace Distributed.Ml.Gpu;

/// <summary>Per-column sums of a rows × cols matrix on the device: a dense layer's bias gradient from its output gradient.</summary>
/// <remarks>
/// One thread per column adds the rows in order, in float, exactly as the CPU layer's sum: equal
/// results on equal inputs, and deterministic (no atomics, no tree whose shape could vary). Threads of
/// a warp read neighbouring columns of a row, so the reads coalesce.
/// </remarks>
internal static class DeviceColumnSum
{
    /// <summary>Enqueues sums[c] = Σ_r values[r, c].</summary>
    public static void Run(DeviceKernels kernels, ArrayView<float> values, ArrayView<float> sums, int rows, int cols)
    {
        DeviceChecks.Length(values, (long)rows * cols, nameof(values));
        DeviceChecks.Length(sums, cols, nameof(sums));
        if (cols > 0)
        {
            kernels.ColumnSum(kernels.GridStride(cols), values, sums, rows, cols);
        }
    }

    internal static void Kernel(ArrayView<float> values, ArrayView<float> sums, int rows, int cols)
    {
        var stride = Grid.DimX * Group.DimX;
        for (var c = Grid.GlobalIndex.X; c < cols; c += stride)
        {
            var sum = 0f;
            for (var r = 0; r < rows; r++)
            {
                sum += values[(long)r * cols + c];
            }
            sums[c] = sum;
        }
    }
}
