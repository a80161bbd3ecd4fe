using Distributed.Ml.Persistence;

namespace Distributed.Ml.Neural;

/// <summary>
/// Batch normalisation (Ioffe &amp; Szegedy 2015) per channel: every pixel position of every sample
/// is a row, so the same layer serves dense features (1×1×n) and convolution maps.
/// </summary>
/// <remarks>
/// Training uses the batch mean and biased variance and updates running estimates with PyTorch's
/// momentum 0.1 (unbiased variance); inference uses the running estimates, so a prediction does not
/// depend on which other images share its batch.
/// </remarks>
public sealed class BatchNorm : Layer
{
    /// <summary>Added to the variance before the square root (PyTorch's default).</summary>
    public const float Epsilon = 1e-5f;

    /// <summary>Weight of the newest batch in the running estimates (PyTorch's default).</summary>
    public const float Momentum = 0.1f;

    private readonly Parameter _scale;
    private readonly Parameter _shift;
    private readonly float[] _runningMean;
    private readonly float[] _runningVariance;
    private readonly float[] _inverseStd;
    private float[]? _normalised;

    /// <summary>Creates a layer with scale 1, shift 0, running mean 0 and running variance 1.</summary>
    public BatchNorm(TensorShape shape)
        : base(shape, shape)
    {
        var channels = shape.Channels;
        _scale = new Parameter("scale", channels);
        _shift = new Parameter("shift", channels);
        Array.Fill(_scale.Value, 1f);
        _runningMean = new float[channels];
        _runningVariance = new float[channels];
        Array.Fill(_runningVariance, 1f);
        _inverseStd = new float[channels];
    }

    /// <inheritdoc />
    public override IReadOnlyList<Parameter> Parameters => [_scale, _shift];

    internal override string Tag => "batch-norm";

    /// <inheritdoc />
    public override void Forward(ReadOnlySpan<float> input, Span<float> output, int batch, bool training)
    {
        CheckForward(input, output, batch);
        var channels = InputShape.Channels;
        var rows = batch * InputShape.Positions;
        if (!training)
        {
            for (var c = 0; c < channels; c++)
            {
                _inverseStd[c] = 1f / MathF.Sqrt(_runningVariance[c] + Epsilon);
            }
            Normalise(input, output, rows, _runningMean);
            return;
        }

        var mean = new double[channels];
        var squares = new double[channels];
        for (var r = 0; r < rows; r++)
        {
            var row = input.Slice(r * channels, channels);
            for (var c = 0; c < channels; c++)
            {
                mean[c] += row[c];
                squares[c] += (double)row[c] * row[c];
            }
        }
        var batchMean = new float[channels];
        for (var c = 0; c < channels; c++)
        {
            mean[c] /= rows;
            var variance = Math.Max(0.0, squares[c] / rows - mean[c] * mean[c]);
            batchMean[c] = (float)mean[c];
            _inverseStd[c] = (float)(1.0 / Math.Sqrt(variance + Epsilon));
            var unbiased = rows > 1 ? variance * rows / (rows - 1) : variance;
            _runningMean[c] = (1 - Momentum) * _runningMean[c] + Momentum * (float)mean[c];
            _runningVariance[c] = (1 - Momentum) * _runningVariance[c] + Momentum * (float)unbiased;
        }
        Normalise(input, output, rows, batchMean);
    }

    /// <inheritdoc />
    public override void Backward(ReadOnlySpan<float> input, ReadOnlySpan<float> output, ReadOnlySpan<float> outputGradient, Span<float> inputGradient, int batch)
    {
        CheckBackward(input, outputGradient, inputGradient, batch);
        var channels = InputShape.Channels;
        var rows = batch * InputShape.Positions;
        var normalised = _normalised ?? throw new InvalidOperationException("Backward needs a training forward pass first.");
        var gradientSum = new double[channels];
        var gradientDotNormalised = new double[channels];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < channels; c++)
            {
                var g = outputGradient[r * channels + c];
                gradientSum[c] += g;
                gradientDotNormalised[c] += g * normalised[r * channels + c];
            }
        }
        for (var c = 0; c < channels; c++)
        {
            _shift.Gradient[c] = (float)gradientSum[c];
            _scale.Gradient[c] = (float)gradientDotNormalised[c];
        }
        if (inputGradient.IsEmpty)
        {
            return;
        }
        // ∂x = γ/σ · (∂y − mean(∂y) − x̂ · mean(∂y·x̂)), the batch statistics' own gradients folded in.
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < channels; c++)
            {
                var i = r * channels + c;
                var centred = outputGradient[i] - gradientSum[c] / rows - normalised[i] * gradientDotNormalised[c] / rows;
                inputGradient[i] = (float)(_scale.Value[c] * _inverseStd[c] * centred);
            }
        }
    }

    internal override void WriteState(ModelWriter writer)
    {
        LayerCodec.WriteShape(writer, InputShape);
        writer.Write(_scale.Value);
        writer.Write(_shift.Value);
        writer.Write(_runningMean);
        writer.Write(_runningVariance);
    }

    internal static BatchNorm Read(ModelReader reader)
    {
        var layer = LayerCodec.Geometry(() => new BatchNorm(LayerCodec.ReadShape(reader)));
        var channels = layer.InputShape.Channels;
        reader.ReadSingles(channels).CopyTo(layer._scale.Value, 0);
        reader.ReadSingles(channels).CopyTo(layer._shift.Value, 0);
        reader.ReadSingles(channels).CopyTo(layer._runningMean, 0);
        reader.ReadSingles(channels).CopyTo(layer._runningVariance, 0);
        return layer;
    }

    private void Normalise(ReadOnlySpan<float> input, Span<float> output, int rows, float[] mean)
    {
        var channels = InputShape.Channels;
        var normalised = Ensure(ref _normalised, rows * channels);
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < channels; c++)
            {
                var i = r * channels + c;
                var value = (input[i] - mean[c]) * _inverseStd[c];
                normalised[i] = value;
                output[i] = _scale.Value[c] * value + _shift.Value[c];
            }
        }
    }
}
