using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Neural;

/// <summary>
/// Transposed 2-d convolution (the adjoint of <see cref="Conv2d"/>), used by decoders to upsample.
/// Output size per axis: (in − 1)·stride − 2·padding + kernel + outputPadding, as in PyTorch.
/// </summary>
/// <remarks>
/// Forward: x (batch·positions × Cin) · W (Cin × k²·Cout) gives one patch row per input position,
/// scattered onto the output by col2im. Backward reuses im2col on ∂y: ∂W = xᵀ·patches(∂y) and
/// ∂x = patches(∂y)·Wᵀ.
/// </remarks>
public sealed class ConvTranspose2d : Layer
{
    private readonly ConvGeometry _geometry;
    private readonly int _outputPadding;
    private readonly Parameter _weight;
    private readonly Parameter _bias;
    private float[]? _columns;
    private float[]? _noBias;

    /// <summary>Creates a transposed convolution with Glorot-uniform weights and zero bias.</summary>
    public ConvTranspose2d(TensorShape inputShape, int filters, int kernel, int stride, int padding, int outputPadding, Rng rng)
        : this(inputShape, filters, kernel, stride, padding, outputPadding)
    {
        ArgumentNullException.ThrowIfNull(rng);
        GlorotUniform(_weight.Value, kernel * kernel * inputShape.Channels, kernel * kernel * filters, rng);
    }

    private ConvTranspose2d(TensorShape inputShape, int filters, int kernel, int stride, int padding, int outputPadding)
        : base(inputShape, OutputOf(inputShape, filters, kernel, stride, padding, outputPadding))
    {
        _geometry = ConvGeometry.ForGrid(inputShape.Height, inputShape.Width, OutputShape, kernel, stride, padding);
        _outputPadding = outputPadding;
        _weight = new Parameter("weight", checked(inputShape.Channels * _geometry.PatchSize));
        _bias = new Parameter("bias", filters);
    }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => [_weight, _bias];

    internal override string Tag => "conv-transpose2d";

    /// <inheritdoc />
    public override void Forward(ReadOnlySpan<float> input, Span<float> output, int batch, bool training)
    {
        CheckForward(input, output, batch);
        var rows = batch * InputShape.Positions;
        var patchSize = _geometry.PatchSize;
        var columns = Ensure(ref _columns, rows * patchSize);
        if (training)
        {
            Gemm.MultiplyForTraining(Transpose.No, Transpose.No, rows, patchSize, InputShape.Channels, 1f, input, InputShape.Channels, _weight.Value, patchSize, 0f, columns, patchSize);
        }
        else
        {
            // As Conv2d: inference rows independent of each other to the bit. The bias is added after col2im.
            InferenceGemm.MultiplyAddBias(input, rows, InputShape.Channels, _weight.Value, patchSize, _noBias ??= new float[patchSize], columns);
        }
        _geometry.Col2Im(columns, output, batch);
        AddBias(output, batch * OutputShape.Positions, _bias.Value);
    }

    /// <inheritdoc />
    public override void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int batch)
    {
        CheckBackward(input, outputGradient, inputGradient, batch);
        var rows = batch * InputShape.Positions;
        var patchSize = _geometry.PatchSize;
        var channels = InputShape.Channels;
        var columns = Ensure(ref _columns, rows * patchSize);
        _geometry.Im2Col(outputGradient, columns, batch);
        SumRows(outputGradient, batch * OutputShape.Positions, OutputShape.Channels, _bias.Gradient);
        Gemm.MultiplyForTraining(Transpose.Yes, Transpose.No, channels, patchSize, rows, 1f, input, channels, columns, patchSize, 0f, _weight.Gradient, patchSize);
        if (!inputGradient.IsEmpty)
        {
            Gemm.MultiplyForTraining(Transpose.No, Transpose.Yes, rows, channels, patchSize, 1f, columns, patchSize, _weight.Value, patchSize, 0f, inputGradient, channels);
        }
    }

    internal override void WriteState(ModelWriter writer)
    {
        LayerCodec.WriteShape(writer, InputShape);
        writer.Write(OutputShape.Channels);
        writer.Write(_geometry.Kernel);
        writer.Write(_geometry.Stride);
        writer.Write(_geometry.Padding);
        writer.Write(_outputPadding);
        writer.Write(_weight.Value);
        writer.Write(_bias.Value);
    }

    internal static ConvTranspose2d Read(ModelReader reader)
    {
        var input = LayerCodec.ReadShape(reader);
        var filters = reader.ReadInt32();
        var kernel = reader.ReadInt32();
        var stride = reader.ReadInt32();
        var padding = reader.ReadInt32();
        var outputPadding = reader.ReadInt32();
        var layer = LayerCodec.Geometry(() => new ConvTranspose2d(input, LayerCodec.Positive(filters), kernel, stride, padding, outputPadding));
        reader.ReadSingles(layer._weight.Value.Length).CopyTo(layer._weight.Value, 0);
        reader.ReadSingles(layer._bias.Value.Length).CopyTo(layer._bias.Value, 0);
        return layer;
    }

    private static TensorShape OutputOf(TensorShape input, int filters, int kernel, int stride, int padding, int outputPadding)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(filters, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(outputPadding);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(outputPadding, Math.Max(stride, 1));
        var height = (input.Height - 1) * stride - 2 * padding + kernel + outputPadding;
        var width = (input.Width - 1) * stride - 2 * padding + kernel + outputPadding;
        return new TensorShape(height, width, filters);
    }
}
