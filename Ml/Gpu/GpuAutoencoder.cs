using Distributed.Ml.Features;
using Distributed.Ml.Neural;
using Distributed.Ml.Numerics;
using ILGPU.Runtime;

namespace Distributed.Ml.Gpu;

/// <summary>
/// The dense autoencoder on a <see cref="GpuDevice"/>: trains it with <see cref="Autoencoder"/>'s own
/// loop (same seeded weights, sample and batch order, same schedule and plateau stop) with the steps
/// on the device, and encodes rows with the same kernels. The result is an ordinary
/// <see cref="AutoencoderModel"/>: saved, loaded and applied on the CPU like one trained there.
/// </summary>
/// <remarks>
/// Determinism: no kernel uses atomics or a reduction whose order depends on scheduling, so a fit is
/// bit-reproducible run to run on the same device (and ILGPU version), and so is an encoding; a row's
/// features do not depend on the other rows encoded with it, so any split of the rows into shards,
/// and any number of silos, gives the same features. Against the CPU the sums run in another order
/// (and a GPU fuses multiply-adds), so results agree to float rounding, not bit for bit.
/// Only the dense architecture with the MSE loss runs here (<see cref="CanTrain"/>).
/// </remarks>
public static class GpuAutoencoder
{
    /// <summary>Rows per forward pass when encoding: enough to fill a GPU, few enough that N2D's encoder outputs (3,010 floats a row) stay under 100 MB.</summary>
    public const int EncodeBlockRows = 8192;

    /// <summary>Whether the device trains these options: the dense architecture with the MSE loss.</summary>
    public static bool CanTrain(AutoencoderOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Architecture == AutoencoderArchitecture.Dense && options.Loss == LossFunction.MeanSquaredError;
    }

    /// <summary>Whether the device encodes with this model: an encoder of dense layers and ReLUs.</summary>
    public static bool CanEncode(AutoencoderModel model)
    {
        ArgumentNullException.ThrowIfNull(model);
        return DeviceDenseNetwork.Supports(model.Network.Layers);
    }

    /// <summary>Fits the autoencoder with its steps on <paramref name="device"/>; <paramref name="epochCompleted"/> is told about every epoch, <paramref name="cancellationToken"/> stops it between batches.</summary>
    /// <exception cref="NotSupportedException">The options ask for what the device does not train (see <see cref="CanTrain"/>).</exception>
    public static AutoencoderModel Fit(GpuDevice device, Matrix rows, AutoencoderOptions options, Action<AutoencoderEpoch>? epochCompleted = null,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(device);
        if (!CanTrain(options))
        {
            throw new NotSupportedException($"The device trains the dense autoencoder with the MSE loss only, not the {options.Architecture} one with {options.Loss}.");
        }
        using (device.Use())
        {
            return Autoencoder.Fit(rows, options, epochCompleted, (network, rowsPerEpoch) => new DeviceAutoencoderSteps(device, network, options, rowsPerEpoch), cancellationToken);
        }
    }

    /// <summary>The features of <paramref name="rows"/> (the encoder's output), computed on <paramref name="device"/>.</summary>
    /// <exception cref="NotSupportedException">The model is not one the device runs (see <see cref="CanEncode"/>).</exception>
    public static Matrix Encode(GpuDevice device, AutoencoderModel model, Matrix rows) => Encode(device, model, rows, EncodeBlockRows);

    /// <summary>As <see cref="Encode(GpuDevice, AutoencoderModel, Matrix)"/> in blocks of <paramref name="blockRows"/> (the tests use small blocks: the result must not depend on them).</summary>
    internal static Matrix Encode(GpuDevice device, AutoencoderModel model, Matrix rows, int blockRows)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockRows, 1);
        ArgumentNullException.ThrowIfNull(device);
        ArgumentNullException.ThrowIfNull(model);
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Cols != model.InputDimension)
        {
            throw new ArgumentException($"The autoencoder expects {model.InputDimension} columns, got {rows.Cols}.", nameof(rows));
        }
        var result = new Matrix(rows.Rows, model.OutputDimension);
        if (rows.Rows == 0)
        {
            return result;
        }
        using (device.Use())
        {
            var block = Math.Min(blockRows, rows.Rows);
            using var network = new DeviceDenseNetwork(device, model.Network.Layers, block, training: false, runLayers: model.EncoderLayers);
            using var input = device.Accelerator.Allocate1D<float>((long)block * rows.Cols);
            for (var start = 0; start < rows.Rows; start += block)
            {
                var count = Math.Min(block, rows.Rows - start);
                var values = count * rows.Cols;
                var view = input.View.SubView(0, values);
                view.CopyFromCPU(ref rows.Data[start * rows.Cols], values);
                var features = network.Forward(view, count);
                var target = result.RowBlock(start, count);
                features.SubView(0, target.Length).CopyToCPU(ref target[0], target.Length);
            }
        }
        return result;
    }
}
