using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Neural;

/// <summary>
/// A sequence of layers with the activation and gradient buffers for batches of up to a given
/// size. Forward can stop after any prefix of the layers (an autoencoder's encoder).
/// </summary>
/// <remarks>Not thread-safe: the buffers are reused between calls.</remarks>
public sealed class Network
{
    private readonly Layer[] _layers;
    private readonly float[][] _activations;
    private readonly float[] _gradientA;
    private readonly float[] _gradientB;

    /// <summary>Chains layers whose shapes match, with buffers for <paramref name="maxBatch"/> samples.</summary>
    public Network(IReadOnlyList<Layer> layers, int maxBatch)
    {
        ArgumentNullException.ThrowIfNull(layers);
        ArgumentOutOfRangeException.ThrowIfLessThan(maxBatch, 1);
        if (layers.Count == 0)
        {
            throw new ArgumentException("A network needs at least one layer.", nameof(layers));
        }
        for (var i = 1; i < layers.Count; i++)
        {
            if (layers[i].InputShape != layers[i - 1].OutputShape)
            {
                throw new ArgumentException($"Layer {i} ({layers[i].GetType().Name}) expects {layers[i].InputShape} but layer {i - 1} produces {layers[i - 1].OutputShape}.", nameof(layers));
            }
        }
        _layers = [.. layers];
        MaxBatch = maxBatch;
        _activations = [.. _layers.Select(l => new float[checked(maxBatch * l.OutputShape.Size)])];
        var widest = _layers.Max(l => Math.Max(l.InputShape.Size, l.OutputShape.Size));
        _gradientA = new float[checked(maxBatch * widest)];
        _gradientB = new float[checked(maxBatch * widest)];
    }

    /// <summary>The layers in order.</summary>
    public IReadOnlyList<Layer> Layers => _layers;

    /// <summary>Largest batch the buffers hold.</summary>
    public int MaxBatch { get; }

    /// <summary>Shape of one input sample.</summary>
    public TensorShape InputShape => _layers[0].InputShape;

    /// <summary>Every trainable parameter, layer by layer.</summary>
    public IEnumerable<Parameter> Parameters => _layers.SelectMany(l => l.Parameters);

    /// <summary>Runs the first <paramref name="layerCount"/> layers (all by default) and returns the last one's output.</summary>
    public ReadOnlySpan<float> Forward(ReadOnlySpan<float> input, int batch, bool training, int? layerCount = null)
    {
        var count = layerCount ?? _layers.Length;
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batch, MaxBatch);
        ArgumentOutOfRangeException.ThrowIfLessThan(count, 1);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(count, _layers.Length);
        var current = input;
        for (var i = 0; i < count; i++)
        {
            _layers[i].Forward(current, _activations[i], batch, training);
            current = _activations[i].AsSpan(0, batch * _layers[i].OutputShape.Size);
        }
        return current;
    }

    /// <summary>
    /// Inference over any number of rows in blocks of at most <see cref="MaxBatch"/> rows. Layers
    /// compute inference rows independently of each other (<see cref="InferenceGemm"/> for the
    /// products), so a row's output does not depend on how many rows came with it, and the last block
    /// needs no padding. <paramref name="eachBlock"/> sees each block's first row and row count after
    /// the pass (read <see cref="Output"/> for its layers).
    /// </summary>
    public void ForwardInBlocks(Matrix rows, int layerCount, Action<int, int> eachBlock)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(eachBlock);
        if (rows.Cols != InputShape.Size)
        {
            throw new ArgumentException($"The network expects {InputShape.Size} columns, got {rows.Cols}.", nameof(rows));
        }
        for (var start = 0; start < rows.Rows; start += MaxBatch)
        {
            var count = Math.Min(MaxBatch, rows.Rows - start);
            Forward(rows.RowBlock(start, count), count, training: false, layerCount);
            eachBlock(start, count);
        }
    }

    /// <summary>Fixes every layer's weights for inference (<see cref="Layer.FixWeights"/>); the network must not be trained afterwards.</summary>
    internal void FixWeights()
    {
        foreach (var layer in _layers)
        {
            layer.FixWeights();
        }
    }

    /// <summary>The first <paramref name="layerCount"/> layers' output for every row (<see cref="ForwardInBlocks"/>).</summary>
    public Matrix ForwardRows(Matrix rows, int layerCount)
    {
        ArgumentNullException.ThrowIfNull(rows);
        var outputSize = _layers[layerCount - 1].OutputShape.Size;
        var result = new Matrix(rows.Rows, outputSize);
        ForwardInBlocks(rows, layerCount, (start, count) => Output(layerCount - 1, count).CopyTo(result.RowBlock(start, count)));
        return result;
    }

    /// <summary>The output of layer <paramref name="layer"/> (0-based) in the last <see cref="Forward"/> of <paramref name="batch"/> samples that reached it.</summary>
    public ReadOnlySpan<float> Output(int layer, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(layer);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(layer, _layers.Length);
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batch, MaxBatch);
        return _activations[layer].AsSpan(0, batch * _layers[layer].OutputShape.Size);
    }

    /// <summary>
    /// Back-propagates ∂loss/∂output of the last full training <see cref="Forward"/> of
    /// <paramref name="input"/>, leaving every parameter's gradient set.
    /// </summary>
    public void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfGreaterThan(batch, MaxBatch);
        var incoming = outputGradient;
        var useA = true;
        for (var i = _layers.Length - 1; i >= 0; i--)
        {
            var layer = _layers[i];
            var layerInput = i == 0 ? input : _activations[i - 1].AsSpan(0, batch * layer.InputShape.Size);
            var output = _activations[i].AsSpan(0, batch * layer.OutputShape.Size);
            var target = i == 0 ? Span<float>.Empty : (useA ? _gradientA : _gradientB).AsSpan(0, batch * layer.InputShape.Size);
            layer.Backward(layerInput, output, incoming, target, batch);
            incoming = target;
            useA = !useA;
        }
    }

    /// <summary>Writes every layer's configuration and parameters.</summary>
    public void Save(ModelWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.Write(_layers.Length);
        foreach (var layer in _layers)
        {
            LayerCodec.Write(writer, layer);
        }
    }

    /// <summary>Reads a network written by <see cref="Save"/>.</summary>
    /// <exception cref="ModelFormatException">Unknown layers or shapes that do not chain.</exception>
    public static Network Load(ModelReader reader, int maxBatch)
    {
        ArgumentNullException.ThrowIfNull(reader);
        var count = reader.ReadInt32();
        ModelReader.Require(count is > 0 and < 1000, $"{count} layers");
        var layers = new Layer[count];
        for (var i = 0; i < count; i++)
        {
            layers[i] = LayerCodec.Read(reader);
        }
        return LayerCodec.Geometry(() => new Network(layers, maxBatch));
    }
}
