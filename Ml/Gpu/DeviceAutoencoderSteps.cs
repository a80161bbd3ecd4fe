using System.Runtime.InteropServices;
using Distributed.Ml.Features;
using Distributed.Ml.Neural;
using ILGPU;
using ILGPU.Runtime;

namespace Distributed.Ml.Gpu;

/// <summary>
/// <see cref="Autoencoder"/>'s mini-batch steps on a device (MSE, Adam): parameters, gradients, Adam
/// moments and activations stay on the device for the whole fit; each step sends only its batch's
/// images, and the epoch's losses come back once per epoch.
/// </summary>
/// <remarks>
/// The host does not wait for a step: kernels queue on the device's stream while the loop gathers
/// the next batch, and copying that batch in waits for the queue. Each row's squared error is kept
/// on the device until the epoch ends; then the host sums them per batch in order, as the CPU loop does.
/// </remarks>
internal sealed class DeviceAutoencoderSteps : IAutoencoderSteps
{
    private readonly Network _network;
    private readonly DeviceDenseNetwork _device;
    private readonly DeviceKernels _kernels;
    private readonly float _learningRate;
    private readonly int _batchSize;
    private readonly int _width;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _batch;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _lossGradient;
    private readonly MemoryBuffer1D<double, Stride1D.Dense> _rowErrors;
    private readonly double[] _hostRowErrors;
    private int _rowsThisEpoch;

    /// <param name="device">The device, held by the caller for the whole fit.</param>
    /// <param name="network">The seeded network; its layers get the trained parameters at the end.</param>
    /// <param name="options">Loss (MSE only) and learning rate.</param>
    /// <param name="rowsPerEpoch">Rows of one epoch (the training sample).</param>
    public DeviceAutoencoderSteps(GpuDevice device, Network network, AutoencoderOptions options, int rowsPerEpoch)
    {
        if (options.Loss != LossFunction.MeanSquaredError)
        {
            throw new NotSupportedException($"The device trains with mean squared error only, not {options.Loss}.");
        }
        _network = network;
        _learningRate = options.LearningRate;
        _batchSize = network.MaxBatch;
        _width = network.InputShape.Size;
        _kernels = device.Kernels;
        _device = new DeviceDenseNetwork(device, network.Layers, network.MaxBatch, training: true);
        var accelerator = device.Accelerator;
        _batch = accelerator.Allocate1D<float>((long)_batchSize * _width);
        _lossGradient = accelerator.Allocate1D<float>((long)_batchSize * _width);
        _rowErrors = accelerator.Allocate1D<double>(rowsPerEpoch);
        _hostRowErrors = new double[rowsPerEpoch];
    }

    public void Step(ReadOnlySpan<float> batch, int count)
    {
        var values = count * _width;
        var input = _batch.View.SubView(0, values);
        input.CopyFromCPU(ref MemoryMarshal.GetReference(batch), values);
        var output = _device.Forward(input, count);
        var gradient = _lossGradient.View.SubView(0, values);
        DeviceMse.Gradient(_kernels, output, input, gradient, count, _width);
        DeviceMse.RowSquaredErrors(_kernels, output, input, _rowErrors.View.SubView(_rowsThisEpoch, count), count, _width);
        _device.Backward(input, gradient, count);
        _device.AdamStep(_learningRate);
        _rowsThisEpoch += count;
    }

    public double TakeEpochLossSum()
    {
        _rowErrors.View.SubView(0, _rowsThisEpoch).CopyToCPU(ref _hostRowErrors[0], _rowsThisEpoch);
        double sum = 0;
        for (var start = 0; start < _rowsThisEpoch; start += _batchSize)
        {
            var count = Math.Min(_batchSize, _rowsThisEpoch - start);
            double total = 0;
            for (var r = start; r < start + count; r++)
            {
                total += _hostRowErrors[r];
            }
            // The batch's mean over its values, weighted by its rows: the CPU loop's sum.
            sum += total / (count * _width) * count;
        }
        _rowsThisEpoch = 0;
        return sum;
    }

    public void CopyParametersToNetwork() => _device.Download(_network.Layers);

    public void Dispose()
    {
        _device.Dispose();
        _batch.Dispose();
        _lossGradient.Dispose();
        _rowErrors.Dispose();
    }
}
