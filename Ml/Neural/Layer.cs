using Distributed.Ml.Persistence;

namespace Distributed.Ml.Neural;

/// <summary>
/// One differentiable layer of a <see cref="Network"/>, working on a batch of samples laid out as
/// contiguous channels-last tensors.
/// </summary>
/// <remarks>
/// <see cref="Backward"/> sets (not accumulates) the parameter gradients for the batch and
/// writes the input gradient unless the caller passes an empty span, which the first layer of a
/// network gets because nobody needs it — for a dense input layer that skips a third of the work.
/// Layers keep what the backward pass needs (patch matrices, masks) from the last training forward.
/// </remarks>
public abstract class Layer
{
    private static readonly Parameter[] NoParameters = [];

    /// <summary>Sets the shapes of one input and one output sample.</summary>
    protected Layer(TensorShape inputShape, TensorShape outputShape)
    {
        if (inputShape.Size <= 0 || outputShape.Size <= 0)
        {
            throw new ArgumentException($"Layer shapes must be non-empty, got {inputShape} → {outputShape}.");
        }
        InputShape = inputShape;
        OutputShape = outputShape;
    }

    /// <summary>Shape of one input sample.</summary>
    public TensorShape InputShape { get; }

    /// <summary>Shape of one output sample.</summary>
    public TensorShape OutputShape { get; }

    /// <summary>Trainable parameters (empty for parameter-free layers).</summary>
    public virtual IReadOnlyList<Parameter> Parameters => NoParameters;

    /// <summary>Computes the outputs of <paramref name="batch"/> samples.</summary>
    /// <param name="input">batch × input size values.</param>
    /// <param name="output">batch × output size values, overwritten.</param>
    /// <param name="batch">Number of samples.</param>
    /// <param name="training">Training mode: batch statistics, dropout, and caching for <see cref="Backward"/>.</param>
    public abstract void Forward(ReadOnlySpan<float> input, Span<float> output, int batch, bool training);

    /// <summary>Back-propagates the loss gradient through the last training forward pass.</summary>
    /// <param name="input">The input given to that forward pass.</param>
    /// <param name="output">The output it produced.</param>
    /// <param name="outputGradient">∂loss/∂output.</param>
    /// <param name="inputGradient">∂loss/∂input, overwritten; empty to skip.</param>
    /// <param name="batch">Number of samples.</param>
    public abstract void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int batch);

    /// <summary>Writes the layer's configuration and state (after its tag, written by the caller).</summary>
    internal abstract void WriteState(ModelWriter writer);

    /// <summary>
    /// Says that the weights will not change again (a trained model's private inference copy): a
    /// layer may prepare a faster inference pass from them, whose outputs may differ from the
    /// direct form's in the last bits. A layer that prepares such a form refuses a training pass afterwards.
    /// </summary>
    internal virtual void FixWeights()
    {
    }

    /// <summary>Tag identifying the layer type in the serialised form.</summary>
    internal abstract string Tag { get; }

    /// <summary>Checks the span lengths of a forward call.</summary>
    protected void CheckForward(ReadOnlySpan<float> input, Span<float> output, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (input.Length < batch * InputShape.Size || output.Length < batch * OutputShape.Size)
        {
            throw new ArgumentException($"{GetType().Name} needs {batch}×{InputShape} in and {batch}×{OutputShape} out.");
        }
    }

    /// <summary>Checks the span lengths of a backward call.</summary>
    protected void CheckBackward(ReadOnlySpan<float> input, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int batch)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(batch);
        if (input.Length < batch * InputShape.Size || outputGradient.Length < batch * OutputShape.Size
            || (!inputGradient.IsEmpty && inputGradient.Length < batch * InputShape.Size))
        {
            throw new ArgumentException($"{GetType().Name} backward needs {batch}×{InputShape} and {batch}×{OutputShape} buffers.");
        }
    }

    /// <summary>Glorot (Xavier) uniform initialisation, Keras' default and the N2D/DCEC reference's.</summary>
    protected static void GlorotUniform(Span<float> weights, int fanIn, int fanOut, Numerics.Rng rng)
    {
        var limit = Math.Sqrt(6.0 / (fanIn + fanOut));
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)((2 * rng.NextDouble() - 1) * limit);
        }
    }

    /// <summary>Grows a scratch buffer to at least <paramref name="length"/> values.</summary>
    protected static float[] Ensure(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer = new float[length];
        }
        return buffer;
    }

    /// <summary>Adds each row of a rows × cols gradient into a per-column sum (bias gradients).</summary>
    protected static void SumRows(ReadOnlySpan<float> gradient, int rows, int cols, Span<float> sum)
    {
        sum.Clear();
        for (var r = 0; r < rows; r++)
        {
            System.Numerics.Tensors.TensorPrimitives.Add(sum, gradient.Slice(r * cols, cols), sum);
        }
    }

    /// <summary>Adds a per-column bias to every row.</summary>
    protected static void AddBias(Span<float> values, int rows, ReadOnlySpan<float> bias)
    {
        var cols = bias.Length;
        for (var r = 0; r < rows; r++)
        {
            var row = values.Slice(r * cols, cols);
            System.Numerics.Tensors.TensorPrimitives.Add(row, bias, row);
        }
    }
}
