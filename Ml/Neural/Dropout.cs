using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Neural;

/// <summary>
/// Inverted dropout: in training each value is zeroed with probability <see cref="Rate"/> and the
/// survivors scaled by 1/(1 − rate); inference is the identity.
/// </summary>
/// <remarks>The mask stream comes from the generator given at construction, so a training run is reproducible from its seed.</remarks>
public sealed class Dropout : Layer
{
    private readonly Rng _rng;
    private float[]? _mask;

    /// <summary>Creates a dropout layer.</summary>
    public Dropout(TensorShape shape, float rate, Rng rng)
        : base(shape, shape)
    {
        if (!(rate >= 0f && rate < 1f))
        {
            throw new ArgumentOutOfRangeException(nameof(rate), $"Dropout rate must be in [0, 1), got {rate}.");
        }
        ArgumentNullException.ThrowIfNull(rng);
        Rate = rate;
        _rng = rng;
    }

    /// <summary>Probability of dropping a value.</summary>
    public float Rate { get; }

    internal override string Tag => "dropout";

    /// <inheritdoc />
    public override void Forward(ReadOnlySpan<float> input, Span<float> output, int batch, bool training)
    {
        CheckForward(input, output, batch);
        var count = batch * InputShape.Size;
        if (!training || Rate == 0f)
        {
            input[..count].CopyTo(output);
            return;
        }
        var mask = Ensure(ref _mask, count);
        var keep = 1f / (1f - Rate);
        for (var i = 0; i < count; i++)
        {
            mask[i] = _rng.NextSingle() < Rate ? 0f : keep;
        }
        System.Numerics.Tensors.TensorPrimitives.Multiply(input[..count], mask.AsSpan(0, count), output[..count]);
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
        if (Rate == 0f)
        {
            outputGradient[..count].CopyTo(inputGradient);
            return;
        }
        var mask = _mask ?? throw new InvalidOperationException("Backward needs a training forward pass first.");
        System.Numerics.Tensors.TensorPrimitives.Multiply(outputGradient[..count], mask.AsSpan(0, count), inputGradient[..count]);
    }

    internal override void WriteState(ModelWriter writer)
    {
        LayerCodec.WriteShape(writer, InputShape);
        writer.Write((double)Rate);
    }

    internal static Dropout Read(ModelReader reader)
    {
        var shape = LayerCodec.ReadShape(reader);
        var rate = (float)reader.ReadDouble();
        // A loaded model only runs inference, where dropout draws nothing; any fixed stream will do.
        return LayerCodec.Geometry(() => new Dropout(shape, rate, new Rng(0)));
    }
}
