using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Neural;

/// <summary>Fully connected layer: y = x·Wᵀ + b over the flattened input sample.</summary>
/// <remarks>
/// W is stored output × input so that the forward pass, the weight gradient and the input
/// gradient are each a single SGEMM over the batch. The output shape may be given as a tensor
/// (e.g. 3×3×128 before a transposed convolution), which is how a decoder "reshapes".
/// </remarks>
public sealed class Dense : Layer
{
    private readonly Parameter _weight;
    private readonly Parameter _bias;

    /// <summary>Creates a layer with Glorot-uniform weights and zero bias.</summary>
    public Dense(TensorShape inputShape, TensorShape outputShape, Rng rng)
        : this(inputShape, outputShape)
    {
        ArgumentNullException.ThrowIfNull(rng);
        GlorotUniform(_weight.Value, inputShape.Size, outputShape.Size, rng);
    }

    /// <summary>Creates a layer from vector sizes.</summary>
    public Dense(int inputs, int outputs, Rng rng)
        : this(TensorShape.Vector(inputs), TensorShape.Vector(outputs), rng)
    {
    }

    private Dense(TensorShape inputShape, TensorShape outputShape)
        : base(inputShape, outputShape)
    {
        _weight = new Parameter("weight", checked(outputShape.Size * inputShape.Size));
        _bias = new Parameter("bias", outputShape.Size);
    }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => [_weight, _bias];

    internal override string Tag => "dense";

    /// <inheritdoc />
    public override void Forward(ReadOnlySpan<float> input, Span<float> output, int batch, bool training)
    {
        CheckForward(input, output, batch);
        int inputs = InputShape.Size, outputs = OutputShape.Size;
        if (!training)
        {
            // Inference: rows independent of each other to the bit (a served image alone, a shard,
            // the training set), and no OpenBLAS threads woken for a lone image's product.
            InferenceGemm.MultiplyTransposedAddBias(input, batch, inputs, _weight.Value, outputs, _bias.Value, output);
            return;
        }
        Gemm.MultiplyForTraining(Transpose.No, Transpose.Yes, batch, outputs, inputs, 1f, input, inputs, _weight.Value, inputs, 0f, output, outputs);
        AddBias(output, batch, _bias.Value);
    }

    /// <inheritdoc />
    public override void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int batch)
    {
        CheckBackward(input, outputGradient, inputGradient, batch);
        int inputs = InputShape.Size, outputs = OutputShape.Size;
        Gemm.MultiplyForTraining(Transpose.Yes, Transpose.No, outputs, inputs, batch, 1f, outputGradient, outputs, input, inputs, 0f, _weight.Gradient, inputs);
        SumRows(outputGradient, batch, outputs, _bias.Gradient);
        if (!inputGradient.IsEmpty)
        {
            Gemm.MultiplyForTraining(Transpose.No, Transpose.No, batch, inputs, outputs, 1f, outputGradient, outputs, _weight.Value, inputs, 0f, inputGradient, inputs);
        }
    }

    internal override void WriteState(ModelWriter writer)
    {
        LayerCodec.WriteShape(writer, InputShape);
        LayerCodec.WriteShape(writer, OutputShape);
        writer.Write(_weight.Value);
        writer.Write(_bias.Value);
    }

    internal static Dense Read(ModelReader reader)
    {
        var layer = new Dense(LayerCodec.ReadShape(reader), LayerCodec.ReadShape(reader));
        reader.ReadSingles(layer._weight.Value.Length).CopyTo(layer._weight.Value, 0);
        reader.ReadSingles(layer._bias.Value.Length).CopyTo(layer._bias.Value, 0);
        return layer;
    }
}
