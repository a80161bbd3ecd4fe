using Distributed.Ml.Neural;
using Distributed.Ml.Numerics;
using ILGPU;
using ILGPU.Runtime;

namespace Distributed.Ml.Gpu;

/// <summary>
/// A stack of dense layers, each optionally followed by a ReLU (the dense autoencoder's shape), held
/// on a device: parameters in one buffer, and for training their gradients and Adam moments in buffers
/// of the same layout, so they stay on the device for the whole fit and one launch updates them all.
/// </summary>
/// <remarks>
/// The passes are those of <see cref="Network"/> over <see cref="Dense"/> and <see cref="Activation"/>
/// layers, with the same products and the same order of operations: forward X·Wᵀ + b then ReLU in
/// place; backward the ReLU mask from the output, Gᵀ·X for the weights, the column sums for the bias,
/// G·W for the input (skipped for the first layer). Not thread-safe: the caller holds the device.
/// </remarks>
internal sealed class DeviceDenseNetwork : IDisposable
{
    private readonly DeviceKernels _kernels;
    private readonly DeviceLayer[] _layers;
    private readonly MemoryBuffer1D<float, Stride1D.Dense> _parameters;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _gradients;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _firstMoments;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _secondMoments;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>[] _activations;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _gradientA;
    private readonly MemoryBuffer1D<float, Stride1D.Dense>? _gradientB;
    private int _adamSteps;

    /// <summary>Copies the parameters of <paramref name="layers"/> to <paramref name="device"/>, with buffers for batches of up to <paramref name="maxBatch"/> rows.</summary>
    /// <param name="device">The device; held by the caller.</param>
    /// <param name="layers">Dense layers, each optionally followed by a ReLU <see cref="Activation"/> (see <see cref="Supports"/>).</param>
    /// <param name="maxBatch">Largest batch.</param>
    /// <param name="training">Whether to hold gradients and Adam moments (inference needs neither).</param>
    /// <param name="runLayers">How many of <paramref name="layers"/> <see cref="Forward"/> runs (an encoder's prefix); all by default, and all for training.</param>
    /// <exception cref="NotSupportedException">A layer the device network does not have, or a prefix that ends between a dense layer and its ReLU.</exception>
    public DeviceDenseNetwork(GpuDevice device, IReadOnlyList<Layer> layers, int maxBatch, bool training, int? runLayers = null)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        _layers = Describe(layers) ?? throw new NotSupportedException("The device network has dense layers, each optionally followed by a ReLU, and nothing else.");
        RunLayers = DeviceLayers(runLayers ?? layers.Count);
        if (RunLayers < 1)
        {
            throw new NotSupportedException($"The first {runLayers} layers end between a dense layer and its activation.");
        }
        if (training && RunLayers != _layers.Length)
        {
            throw new ArgumentException("Training runs every layer.", nameof(runLayers));
        }
        _kernels = device.Kernels;
        MaxBatch = maxBatch;
        var accelerator = device.Accelerator;
        var parameterCount = _layers[^1].BiasOffset + _layers[^1].Outputs;
        _parameters = accelerator.Allocate1D<float>(parameterCount);
        // Only the layers that run need outputs: an encoder holds none of the decoder's.
        _activations = [.. _layers.Take(RunLayers).Select(l => accelerator.Allocate1D<float>((long)maxBatch * l.Outputs))];
        if (training)
        {
            _gradients = accelerator.Allocate1D<float>(parameterCount);
            // Adam starts from zero moments.
            _firstMoments = accelerator.Allocate1D<float>(parameterCount);
            _secondMoments = accelerator.Allocate1D<float>(parameterCount);
            _firstMoments.MemSetToZero();
            _secondMoments.MemSetToZero();
            var widest = _layers.Max(l => Math.Max(l.Inputs, l.Outputs));
            _gradientA = accelerator.Allocate1D<float>((long)maxBatch * widest);
            _gradientB = accelerator.Allocate1D<float>((long)maxBatch * widest);
        }
        Upload(layers);
    }

    /// <summary>Largest batch the buffers hold.</summary>
    public int MaxBatch { get; }

    /// <summary>Device layers <see cref="Forward"/> runs.</summary>
    public int RunLayers { get; }

    /// <summary>Values of one output row of <see cref="Forward"/>.</summary>
    public int OutputWidth => _layers[RunLayers - 1].Outputs;

    /// <summary>
    /// Whether the device network can run <paramref name="layers"/>: dense layers, each optionally
    /// followed by a ReLU, and nothing else (the dense autoencoder; not the convolutional one).
    /// </summary>
    public static bool Supports(IReadOnlyList<Layer> layers) => Describe(layers) is not null;

    /// <summary>How many device layers the first <paramref name="cpuLayers"/> CPU layers make (an encoder's prefix), or -1 when the prefix splits a dense layer from its ReLU.</summary>
    private int DeviceLayers(int cpuLayers)
    {
        for (var i = 0; i < _layers.Length; i++)
        {
            if (_layers[i].CpuEnd == cpuLayers)
            {
                return i + 1;
            }
        }
        return -1;
    }

    /// <summary>Enqueues the <see cref="RunLayers"/> layers on <paramref name="batch"/> rows of <paramref name="input"/>; returns the last one's output.</summary>
    public ArrayView<float> Forward(ArrayView<float> input, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batch, MaxBatch);
        DeviceChecks.Length(input, (long)batch * _layers[0].Inputs, nameof(input));
        var current = input;
        for (var i = 0; i < RunLayers; i++)
        {
            var layer = _layers[i];
            var output = Activation(i, batch);
            DeviceSgemm.Run(_kernels, Transpose.No, Transpose.Yes, batch, layer.Outputs, layer.Inputs, 1f,
                current, layer.Inputs, Weights(_parameters, layer), layer.Inputs, 0f, output, layer.Outputs);
            DeviceBiasRelu.Forward(_kernels, output, Bias(_parameters, layer), batch, layer.Outputs, layer.Relu);
            current = output;
        }
        return current;
    }

    /// <summary>
    /// Enqueues the backward pass of the last full forward pass of <paramref name="input"/>, from
    /// ∂loss/∂output in <paramref name="outputGradient"/> (overwritten), leaving every gradient set.
    /// </summary>
    public void Backward(ArrayView<float> input, ArrayView<float> outputGradient, int batch)
    {
        var gradients = _gradients ?? throw new InvalidOperationException("This device network was built for inference.");
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batch, MaxBatch);
        var incoming = outputGradient;
        var useA = true;
        for (var i = _layers.Length - 1; i >= 0; i--)
        {
            var layer = _layers[i];
            var outgoing = batch * layer.Outputs;
            if (layer.Relu)
            {
                DeviceBiasRelu.Backward(_kernels, incoming, Activation(i, batch), outgoing);
            }
            var layerInput = i == 0 ? input : Activation(i - 1, batch);
            DeviceSgemm.Run(_kernels, Transpose.Yes, Transpose.No, layer.Outputs, layer.Inputs, batch, 1f,
                incoming, layer.Outputs, layerInput, layer.Inputs, 0f, Weights(gradients, layer), layer.Inputs);
            DeviceColumnSum.Run(_kernels, incoming, Bias(gradients, layer), batch, layer.Outputs);
            if (i == 0)
            {
                // Nobody needs ∂loss/∂input of the first layer: a third of its work skipped, as on the CPU.
                break;
            }
            var target = (useA ? _gradientA! : _gradientB!).View.SubView(0, (long)batch * layer.Inputs);
            DeviceSgemm.Run(_kernels, Transpose.No, Transpose.No, batch, layer.Inputs, layer.Outputs, 1f,
                incoming, layer.Outputs, Weights(_parameters, layer), layer.Inputs, 0f, target, layer.Inputs);
            incoming = target;
            useA = !useA;
        }
    }

    /// <summary>Enqueues one Adam step of every parameter from the gradients of the last backward pass.</summary>
    public void AdamStep(float learningRate)
    {
        var gradients = _gradients ?? throw new InvalidOperationException("This device network was built for inference.");
        DeviceAdam.Run(_kernels, _parameters.View, gradients.View, _firstMoments!.View, _secondMoments!.View, learningRate, ++_adamSteps);
    }

    /// <summary>Copies the parameters back into the CPU layers they came from (waits for the device).</summary>
    public void Download(IReadOnlyList<Layer> layers) => Transfer(_parameters, layers, p => p.Value, toDevice: false);

    /// <summary>Copies the gradients of the last backward pass into the CPU layers' <see cref="Parameter.Gradient"/>, to check them against the CPU's.</summary>
    public void DownloadGradients(IReadOnlyList<Layer> layers) =>
        Transfer(_gradients ?? throw new InvalidOperationException("This device network was built for inference."), layers, p => p.Gradient, toDevice: false);

    public void Dispose()
    {
        _parameters.Dispose();
        _gradients?.Dispose();
        _firstMoments?.Dispose();
        _secondMoments?.Dispose();
        _gradientA?.Dispose();
        _gradientB?.Dispose();
        foreach (var activation in _activations)
        {
            activation.Dispose();
        }
    }

    private void Upload(IReadOnlyList<Layer> layers) => Transfer(_parameters, layers, p => p.Value, toDevice: true);

    /// <summary>Copies each dense layer's weight and bias (the arrays <paramref name="select"/> picks) to or from their place in <paramref name="buffer"/>.</summary>
    private void Transfer(MemoryBuffer1D<float, Stride1D.Dense> buffer, IReadOnlyList<Layer> layers, Func<Parameter, float[]> select, bool toDevice)
    {
        var dense = layers.OfType<Dense>().ToArray();
        for (var i = 0; i < _layers.Length; i++)
        {
            foreach (var (host, device) in new[] { (select(dense[i].Parameters[0]), Weights(buffer, _layers[i])), (select(dense[i].Parameters[1]), Bias(buffer, _layers[i])) })
            {
                if (toDevice)
                {
                    device.CopyFromCPU(ref host[0], host.Length);
                }
                else
                {
                    device.CopyToCPU(ref host[0], host.Length);
                }
            }
        }
    }

    private ArrayView<float> Activation(int layer, int batch) => _activations[layer].View.SubView(0, (long)batch * _layers[layer].Outputs);

    private static ArrayView<float> Weights(MemoryBuffer1D<float, Stride1D.Dense> buffer, DeviceLayer layer) =>
        buffer.View.SubView(layer.WeightOffset, (long)layer.Outputs * layer.Inputs);

    private static ArrayView<float> Bias(MemoryBuffer1D<float, Stride1D.Dense> buffer, DeviceLayer layer) =>
        buffer.View.SubView(layer.BiasOffset, layer.Outputs);

    /// <summary>The device layers of a CPU layer list, or null when it has anything but dense layers and their ReLUs.</summary>
    private static DeviceLayer[]? Describe(IReadOnlyList<Layer> layers)
    {
        var result = new List<DeviceLayer>();
        long offset = 0;
        for (var i = 0; i < layers.Count; i++)
        {
            if (layers[i] is not Dense dense)
            {
                return null;
            }
            var relu = i + 1 < layers.Count && layers[i + 1] is Activation { Kind: ActivationKind.Relu };
            if (relu)
            {
                i++;
            }
            int inputs = dense.InputShape.Size, outputs = dense.OutputShape.Size;
            result.Add(new DeviceLayer(inputs, outputs, relu, offset, offset + (long)outputs * inputs, i + 1));
            offset += (long)outputs * inputs + outputs;
        }
        return result.Count == 0 ? null : [.. result];
    }

    /// <summary>One dense layer on the device: its widths, whether a ReLU follows, where its weight and bias sit in the parameter buffer, and where it ends in the CPU layer list.</summary>
    private readonly record struct DeviceLayer(int Inputs, int Outputs, bool Relu, long WeightOffset, long BiasOffset, int CpuEnd);
}
