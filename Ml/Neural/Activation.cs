using System.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Neural;

/// <summary>Element-wise activation functions.</summary>
public enum ActivationKind
{
    /// <summary>max(0, x).</summary>
    Relu,

    /// <summary>x for x &gt; 0, slope·x otherwise.</summary>
    LeakyRelu,

    /// <summary>1 / (1 + e^−x).</summary>
    Sigmoid,
}

/// <summary>An element-wise activation layer; the output shape equals the input shape.</summary>
/// <remarks>Gradients are computed from the saved output (ReLU's sign, σ' = σ(1 − σ)), so no extra cache is kept.</remarks>
public sealed class Activation : Layer
{
    /// <summary>Default leaky-ReLU slope (Keras' and PyTorch's 0.01).</summary>
    public const float DefaultSlope = 0.01f;

    /// <summary>Appends <paramref name="layer"/> and a ReLU on its output: how the networks build their hidden layers.</summary>
    internal static void AppendWithRelu(List<Layer> layers, Layer layer)
    {
        layers.Add(layer);
        layers.Add(new Activation(layer.OutputShape, ActivationKind.Relu));
    }

    /// <summary>Creates an activation layer.</summary>
    public Activation(TensorShape shape, ActivationKind kind, float slope = DefaultSlope)
        : base(shape, shape)
    {
        if (kind == ActivationKind.LeakyRelu && !(slope > 0f && slope < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(slope), $"Leaky ReLU slope must be in (0, 1), got {slope}.");
        }
        Kind = kind;
        Slope = slope;
    }

    /// <summary>The function applied.</summary>
    public ActivationKind Kind { get; }

    /// <summary>Negative-side slope of the leaky ReLU.</summary>
    public float Slope { get; }

    internal override string Tag => "activation";

    /// <inheritdoc />
    public override void Forward(ReadOnlySpan<float> input, Span<float> output, int batch, bool training)
    {
        CheckForward(input, output, batch);
        var count = batch * InputShape.Size;
        var x = input[..count];
        var y = output[..count];
        switch (Kind)
        {
            case ActivationKind.Relu:
                System.Numerics.Tensors.TensorPrimitives.Max(x, 0f, y);
                break;
            case ActivationKind.LeakyRelu:
                PositiveOrScaled(x, x, Slope, y);
                break;
            default:
                System.Numerics.Tensors.TensorPrimitives.Sigmoid(x, y);
                break;
        }
    }

    /// <inheritdoc />
    public override void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int batch)
    {
        CheckBackward(input, outputGradient, inputGradient, batch);
        if (inputGradient.IsEmpty)
        {
            return;
        }
        var count = batch * InputShape.Size;
        var gradient = outputGradient[..count];
        var target = inputGradient[..count];
        switch (Kind)
        {
            case ActivationKind.Relu:
                PositiveOrScaled(output[..count], gradient, 0f, target);
                break;
            case ActivationKind.LeakyRelu:
                PositiveOrScaled(input[..count], gradient, Slope, target);
                break;
            default:
                SigmoidGradient(output[..count], gradient, target);
                break;
        }
    }

    /// <summary>
    /// <c>target[i] = sign[i] &gt; 0 ? value[i] : scale · value[i]</c>, except that a zero scale gives
    /// exactly 0 (ReLU's gradient, also where the value is not finite). Vectorised as a lane-wise
    /// select, so the values are the scalar rule's to the bit: a per-element branch on the sign is
    /// mispredicted half the time, and was a third of the samples on a CNN's training thread.
    /// </summary>
    private static void PositiveOrScaled(ReadOnlySpan<float> sign, ReadOnlySpan<float> value, float scale, Span<float> target)
    {
        var count = target.Length;
        var lanes = Vector<float>.Count;
        var i = 0;
        for (; i + lanes <= count; i += lanes)
        {
            var v = new Vector<float>(value.Slice(i, lanes));
            var otherwise = scale == 0f ? Vector<float>.Zero : v * scale;
            Vector.ConditionalSelect(Vector.GreaterThan(new Vector<float>(sign.Slice(i, lanes)), Vector<float>.Zero), v, otherwise).CopyTo(target.Slice(i, lanes));
        }
        for (; i < count; i++)
        {
            target[i] = sign[i] > 0f ? value[i] : scale == 0f ? 0f : scale * value[i];
        }
    }

    /// <summary><c>target[i] = gradient[i] · σ · (1 − σ)</c> with σ = <paramref name="output"/>[i], in that order, vectorised.</summary>
    private static void SigmoidGradient(ReadOnlySpan<float> output, ReadOnlySpan<float> gradient, Span<float> target)
    {
        var count = target.Length;
        var lanes = Vector<float>.Count;
        var i = 0;
        for (; i + lanes <= count; i += lanes)
        {
            var o = new Vector<float>(output.Slice(i, lanes));
            (new Vector<float>(gradient.Slice(i, lanes)) * o * (Vector<float>.One - o)).CopyTo(target.Slice(i, lanes));
        }
        for (; i < count; i++)
        {
            target[i] = gradient[i] * output[i] * (1f - output[i]);
        }
    }

    internal override void WriteState(ModelWriter writer)
    {
        LayerCodec.WriteShape(writer, InputShape);
        writer.Write((int)Kind);
        writer.Write((double)Slope);
    }

    internal static Activation Read(ModelReader reader)
    {
        var shape = LayerCodec.ReadShape(reader);
        var kind = reader.ReadInt32();
        var slope = (float)reader.ReadDouble();
        ModelReader.Require(Enum.IsDefined((ActivationKind)kind), $"activation kind {kind}");
        return LayerCodec.Geometry(() => new Activation(shape, (ActivationKind)kind, slope));
    }
}
