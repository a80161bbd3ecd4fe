using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Neural;

/// <summary>2-d convolution (square kernel, stride, symmetric zero padding) as im2col + one SGEMM.</summary>
/// <remarks>
/// Forward: patches (batch·positions × k²·Cin) · W (k²·Cin × Cout) gives the channels-last output
/// directly; in training through <see cref="Gemm"/>, in inference through the single-threaded
/// <see cref="InferenceGemm"/>, whose rows do not depend on each other (or, once the weights are
/// fixed, by <see cref="WinogradConvolution"/> where the geometry allows, with fewer multiply-adds). Backward: ∂W = patchesᵀ·∂y, ∂patches = ∂y·Wᵀ scattered back by col2im. The patch
/// matrix of the last training forward is kept for the weight gradient.
/// </remarks>
public sealed class Conv2d : Layer
{
    private readonly ConvGeometry _geometry;
    private readonly Parameter _weight;
    private readonly Parameter _bias;
    private float[]? _columns;
    private float[]? _columnGradient;

    /// <summary>The inference form with fewer multiply-adds, made when the weights are fixed (<see cref="FixWeights"/>) and the geometry allows it.</summary>
    private WinogradConvolution? _winograd;

    /// <summary>Where each patch lies in the input, for inference without a patch matrix; null with padding.</summary>
    private readonly PatchRows? _patchRows;

    /// <summary>Creates a convolution with Glorot-uniform weights and zero bias.</summary>
    public Conv2d(TensorShape inputShape, int filters, int kernel, int stride, int padding, Rng rng)
        : this(ConvGeometry.ForImage(inputShape, kernel, stride, padding), filters)
    {
        ArgumentNullException.ThrowIfNull(rng);
        GlorotUniform(_weight.Value, kernel * kernel * inputShape.Channels, kernel * kernel * filters, rng);
    }

    private Conv2d(ConvGeometry geometry, int filters)
        : base(geometry.Image, new TensorShape(geometry.GridHeight, geometry.GridWidth, filters))
    {
        _geometry = geometry;
        _weight = new Parameter("weight", checked(geometry.PatchSize * filters));
        _bias = new Parameter("bias", filters);
        _patchRows = geometry.Padding == 0 ? new PatchRows(geometry) : null;
    }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => [_weight, _bias];

    internal override string Tag => "conv2d";

    /// <inheritdoc />
    public override void Forward(ReadOnlySpan<float> input, Span<float> output, int batch, bool training)
    {
        CheckForward(input, output, batch);
        var rows = batch * _geometry.Patches;
        var filters = OutputShape.Channels;
        if (!training && _winograd is not null)
        {
            _winograd.Forward(input, output, batch, _bias.Value);
            return;
        }
        if (!training && _patchRows is not null)
        {
            // Inference runs one image at a time (CnnClassifierModel): products too small for
            // OpenBLAS's threads to pay, and a result the same to the bit for any number of images.
            // Unpadded patches are read in place: copying them out (three short runs per patch) was
            // a tenth of a served image's CPU, and the sums are the same to the bit.
            InferenceGemm.MultiplyGatheredAddBias(input, _patchRows.Value, rows, _weight.Value, filters, _bias.Value, output);
            return;
        }
        if (training && _winograd is not null)
        {
            // Its inference form holds transformed copies of the weights, which training would leave stale.
            throw new InvalidOperationException("This convolution's weights were fixed for inference; it cannot be trained.");
        }
        var columns = Ensure(ref _columns, rows * _geometry.PatchSize);
        _geometry.Im2Col(input, columns, batch);
        if (!training)
        {
            InferenceGemm.MultiplyAddBias(columns, rows, _geometry.PatchSize, _weight.Value, filters, _bias.Value, output);
            return;
        }
        Gemm.MultiplyForTraining(Transpose.No, Transpose.No, rows, filters, _geometry.PatchSize, 1f, columns, _geometry.PatchSize, _weight.Value, filters, 0f, output, filters);
        AddBias(output, rows, _bias.Value);
    }

    /// <inheritdoc />
    internal override void FixWeights()
    {
        _winograd = WinogradConvolution.Applies(_geometry, OutputShape.Channels) ? new WinogradConvolution(_geometry, OutputShape.Channels, _weight.Value) : null;
    }

    /// <inheritdoc />
    public override void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int batch)
    {
        CheckBackward(input, outputGradient, inputGradient, batch);
        var rows = batch * _geometry.Patches;
        var patchSize = _geometry.PatchSize;
        var filters = OutputShape.Channels;
        if (_columns is null || _columns.Length < rows * patchSize)
        {
            throw new InvalidOperationException("Backward needs a training forward pass of the same batch first.");
        }
        Gemm.MultiplyForTraining(Transpose.Yes, Transpose.No, patchSize, filters, rows, 1f, _columns, patchSize, outputGradient, filters, 0f, _weight.Gradient, filters);
        SumRows(outputGradient, rows, filters, _bias.Gradient);
        if (!inputGradient.IsEmpty)
        {
            var columnGradient = Ensure(ref _columnGradient, rows * patchSize);
            Gemm.MultiplyForTraining(Transpose.No, Transpose.Yes, rows, patchSize, filters, 1f, outputGradient, filters, _weight.Value, filters, 0f, columnGradient, patchSize);
            _geometry.Col2Im(columnGradient, inputGradient, batch);
        }
    }

    internal override void WriteState(ModelWriter writer)
    {
        LayerCodec.WriteShape(writer, InputShape);
        writer.Write(OutputShape.Channels);
        writer.Write(_geometry.Kernel);
        writer.Write(_geometry.Stride);
        writer.Write(_geometry.Padding);
        writer.Write(_weight.Value);
        writer.Write(_bias.Value);
    }

    internal static Conv2d Read(ModelReader reader)
    {
        var input = LayerCodec.ReadShape(reader);
        var filters = reader.ReadInt32();
        var kernel = reader.ReadInt32();
        var stride = reader.ReadInt32();
        var padding = reader.ReadInt32();
        var layer = new Conv2d(LayerCodec.Geometry(() => ConvGeometry.ForImage(input, kernel, stride, padding)), LayerCodec.Positive(filters));
        reader.ReadSingles(layer._weight.Value.Length).CopyTo(layer._weight.Value, 0);
        reader.ReadSingles(layer._bias.Value.Length).CopyTo(layer._bias.Value, 0);
        return layer;
    }
}
