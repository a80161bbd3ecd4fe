using System.Numerics;

namespace Distributed.Ml.Neural;

/// <summary>
/// Adam (Kingma &amp; Ba 2015) with bias correction, over a fixed list of parameters.
/// Defaults are the paper's and PyTorch's: β₁ 0.9, β₂ 0.999, ε 1e-8.
/// </summary>
public sealed class AdamOptimizer
{
    /// <summary>Default exponential decay of the first moment.</summary>
    public const float DefaultBeta1 = 0.9f;

    /// <summary>Default exponential decay of the second moment.</summary>
    public const float DefaultBeta2 = 0.999f;

    /// <summary>Default denominator guard.</summary>
    public const float DefaultEpsilon = 1e-8f;

    private readonly Parameter[] _parameters;
    private readonly float[][] _firstMoments;
    private readonly float[][] _secondMoments;
    private readonly (int Parameter, int Start, int Length)[] _chunks;
    private int _step;

    /// <summary>
    /// Values per chunk of an update shared out to threads: the update streams five arrays through
    /// memory with little arithmetic, and on one thread, with the other core idle, it held the dense
    /// autoencoder's training (3.3 million parameters) at 13.1–13.5 s against 11.3–11.4 s shared out.
    /// </summary>
    private const int ChunkLength = 1 << 16;

    /// <summary>Creates an optimiser with zero moments.</summary>
    public AdamOptimizer(IEnumerable<Parameter> parameters, float learningRate, float beta1 = DefaultBeta1, float beta2 = DefaultBeta2, float epsilon = DefaultEpsilon)
    {
        ArgumentNullException.ThrowIfNull(parameters);
        if (!(learningRate > 0f) || !(beta1 >= 0f && beta1 < 1f) || !(beta2 >= 0f && beta2 < 1f) || !(epsilon > 0f))
        {
            throw new ArgumentOutOfRangeException(nameof(learningRate), "Adam needs learning rate > 0, β in [0, 1) and ε > 0.");
        }
        _parameters = [.. parameters];
        _firstMoments = [.. _parameters.Select(p => new float[p.Value.Length])];
        _secondMoments = [.. _parameters.Select(p => new float[p.Value.Length])];
        _chunks = [.. _parameters.SelectMany((p, index) => Enumerable.Range(0, (p.Value.Length + ChunkLength - 1) / ChunkLength)
            .Select(chunk => (index, chunk * ChunkLength, Math.Min(ChunkLength, p.Value.Length - chunk * ChunkLength))))];
        LearningRate = learningRate;
        Beta1 = beta1;
        Beta2 = beta2;
        Epsilon = epsilon;
    }

    /// <summary>Step size of the next <see cref="Step"/>; a trainer with a schedule sets it between steps.</summary>
    /// <exception cref="ArgumentOutOfRangeException">Negative or not finite.</exception>
    public float LearningRate
    {
        get;
        set
        {
            if (!(value >= 0f) || !float.IsFinite(value))
            {
                throw new ArgumentOutOfRangeException(nameof(value), $"Learning rate must be finite and not negative, got {value}.");
            }
            field = value;
        }
    }

    /// <summary>First-moment decay.</summary>
    public float Beta1 { get; }

    /// <summary>Second-moment decay.</summary>
    public float Beta2 { get; }

    /// <summary>Denominator guard.</summary>
    public float Epsilon { get; }

    /// <summary>Applies one update from the parameters' current gradients.</summary>
    public void Step()
    {
        _step++;
        var (stepSize, epsilon) = BiasCorrected(LearningRate, Beta1, Beta2, Epsilon, _step);
        // Each value's update depends on its own gradient and moments alone: the same bits in any split.
        void UpdateChunk(int chunk)
        {
            var (p, start, length) = _chunks[chunk];
            Update(_parameters[p].Value.AsSpan(start, length), _parameters[p].Gradient.AsSpan(start, length),
                _firstMoments[p].AsSpan(start, length), _secondMoments[p].AsSpan(start, length), stepSize, epsilon);
        }
        if (_chunks.Length < 4 || Environment.ProcessorCount == 1)
        {
            for (var chunk = 0; chunk < _chunks.Length; chunk++)
            {
                UpdateChunk(chunk);
            }
        }
        else
        {
            Parallel.For(0, _chunks.Length, UpdateChunk);
        }
    }

    /// <summary>
    /// Step size and ε of step <paramref name="step"/> (1-based) with the bias correction folded in,
    /// so the update is stepSize·m/(√v + ε′) = lr·m̂/(√v̂ + ε) on the raw moments. Shared with the
    /// device optimiser, so both take the same steps.
    /// </summary>
    internal static (float StepSize, float Epsilon) BiasCorrected(float learningRate, float beta1, float beta2, float epsilon, int step)
    {
        var secondCorrection = Math.Sqrt(1 - Math.Pow(beta2, step));
        return ((float)(learningRate * secondCorrection / (1 - Math.Pow(beta1, step))), (float)(epsilon * secondCorrection));
    }

    private void Update(Span<float> value, ReadOnlySpan<float> gradient, Span<float> first, Span<float> second, float stepSize, float epsilon)
    {
        var i = 0;
        if (Vector.IsHardwareAccelerated && value.Length >= Vector<float>.Count)
        {
            var b1 = new Vector<float>(Beta1);
            var b2 = new Vector<float>(Beta2);
            var oneMinusB1 = new Vector<float>(1 - Beta1);
            var oneMinusB2 = new Vector<float>(1 - Beta2);
            var step = new Vector<float>(stepSize);
            var eps = new Vector<float>(epsilon);
            for (; i <= value.Length - Vector<float>.Count; i += Vector<float>.Count)
            {
                var g = new Vector<float>(gradient[i..]);
                var m = b1 * new Vector<float>(first[i..]) + oneMinusB1 * g;
                var v = b2 * new Vector<float>(second[i..]) + oneMinusB2 * g * g;
                m.CopyTo(first[i..]);
                v.CopyTo(second[i..]);
                (new Vector<float>(value[i..]) - step * m / (Vector.SquareRoot(v) + eps)).CopyTo(value[i..]);
            }
        }
        for (; i < value.Length; i++)
        {
            var g = gradient[i];
            first[i] = Beta1 * first[i] + (1 - Beta1) * g;
            second[i] = Beta2 * second[i] + (1 - Beta2) * g * g;
            value[i] -= stepSize * first[i] / (MathF.Sqrt(second[i]) + epsilon);
        }
    }
}
