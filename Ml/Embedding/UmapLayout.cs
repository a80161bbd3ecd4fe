using Distributed.Ml.Numerics;

namespace Distributed.Ml.Embedding;

/// <summary>
/// UMAP's layout optimisation, umap-learn's <c>optimize_layout_euclidean</c>: stochastic gradient
/// descent on the fuzzy cross-entropy, sampling each edge in proportion to its weight, with
/// negative samples for the repulsion.
/// </summary>
/// <remarks>
/// Sequential, so that one seed gives one result (umap-learn's parallel variant races on the
/// coordinates). Edge i is due every <c>epochsPerSample[i]</c> = max weight / weight epochs; each
/// time it is due the pair attracts (both ends move), followed by the negative samples owed since
/// the last visit at <c>negativeSampleRate</c> per positive sample, which push only the head away
/// from uniformly drawn points. Gradient components are clipped to ±4 and the step α decays
/// linearly to 0.
/// </remarks>
internal sealed class UmapLayout
{
    /// <summary>Largest magnitude of a gradient component (umap-learn's <c>clip</c>).</summary>
    public const float Clip = 4f;

    private readonly float _a;
    private readonly float _b;
    private readonly float _twoGammaB;
    private readonly float _minusTwoAB;

    public UmapLayout(double a, double b, double repulsionStrength)
    {
        _a = (float)a;
        _b = (float)b;
        _twoGammaB = (float)(2 * repulsionStrength * b);
        _minusTwoAB = (float)(-2 * a * b);
    }

    /// <summary>Optimises <paramref name="embedding"/> (row-major, <paramref name="dimension"/> columns) in place over the edges head→tail.</summary>
    public void Fit(float[] embedding, int dimension, int[] head, int[] tail, double[] epochsPerSample, int epochs,
        double learningRate, int negativeSampleRate, Rng rng)
    {
        var vertices = embedding.Length / dimension;
        var edges = head.Length;
        var nextSample = (double[])epochsPerSample.Clone();
        var epochsPerNegative = new double[edges];
        for (var e = 0; e < edges; e++)
        {
            epochsPerNegative[e] = epochsPerSample[e] / negativeSampleRate;
        }
        var nextNegative = (double[])epochsPerNegative.Clone();
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            var alpha = (float)(learningRate * (1.0 - (double)epoch / epochs));
            for (var e = 0; e < edges; e++)
            {
                if (nextSample[e] > epoch)
                {
                    continue;
                }
                var current = embedding.AsSpan(head[e] * dimension, dimension);
                var other = embedding.AsSpan(tail[e] * dimension, dimension);
                Attract(current, other, alpha, moveOther: true);
                nextSample[e] += epochsPerSample[e];

                var negatives = (int)((epoch - nextNegative[e]) / epochsPerNegative[e]);
                for (var p = 0; p < negatives; p++)
                {
                    var k = rng.NextInt(vertices);
                    if (k != head[e])
                    {
                        Repel(current, embedding.AsSpan(k * dimension, dimension), alpha);
                    }
                }
                nextNegative[e] += negatives * epochsPerNegative[e];
            }
        }
    }

    /// <summary>
    /// Optimises one new point against a fixed embedding: its edges go to <paramref name="neighbors"/>
    /// (epochs per sample &lt;= 0 marks an edge left out), negatives are drawn from the fixed embedding.
    /// </summary>
    public void Place(Span<float> point, float[] fixedEmbedding, ReadOnlySpan<int> neighbors, ReadOnlySpan<double> epochsPerSample,
        Span<double> scratch, int epochs, double learningRate, int negativeSampleRate, Rng rng)
    {
        var dimension = point.Length;
        var vertices = fixedEmbedding.Length / dimension;
        var count = neighbors.Length;
        var nextSample = scratch[..count];
        var nextNegative = scratch.Slice(count, count);
        for (var e = 0; e < count; e++)
        {
            nextSample[e] = epochsPerSample[e];
            nextNegative[e] = epochsPerSample[e] / negativeSampleRate;
        }
        for (var epoch = 0; epoch < epochs; epoch++)
        {
            var alpha = (float)(learningRate * (1.0 - (double)epoch / epochs));
            for (var e = 0; e < count; e++)
            {
                if (epochsPerSample[e] <= 0 || nextSample[e] > epoch)
                {
                    continue;
                }
                Attract(point, fixedEmbedding.AsSpan(neighbors[e] * dimension, dimension), alpha, moveOther: false);
                nextSample[e] += epochsPerSample[e];
                var perNegative = epochsPerSample[e] / negativeSampleRate;
                var negatives = (int)((epoch - nextNegative[e]) / perNegative);
                for (var p = 0; p < negatives; p++)
                {
                    Repel(point, fixedEmbedding.AsSpan(rng.NextInt(vertices) * dimension, dimension), alpha);
                }
                nextNegative[e] += negatives * perNegative;
            }
        }
    }

    private void Attract(Span<float> current, Span<float> other, float alpha, bool moveOther)
    {
        var distance = SquaredDistance(current, other);
        if (distance <= 0)
        {
            return;
        }
        // −2ab·d^(b−1) / (1 + a·d^b), with d^(b−1) = d^b / d: one power per sample.
        var power = MathF.Pow(distance, _b);
        var coefficient = _minusTwoAB * power / (distance * (_a * power + 1f));
        for (var d = 0; d < current.Length; d++)
        {
            var gradient = Math.Clamp(coefficient * (current[d] - other[d]), -Clip, Clip) * alpha;
            current[d] += gradient;
            if (moveOther)
            {
                other[d] -= gradient;
            }
        }
    }

    private void Repel(Span<float> current, ReadOnlySpan<float> other, float alpha)
    {
        var distance = SquaredDistance(current, other);
        if (distance <= 0)
        {
            return; // Coincident points: no direction to push in (umap-learn's gradient is 0 too).
        }
        // 2γb / ((0.001 + d)·(1 + a·d^b)).
        var coefficient = _twoGammaB / ((0.001f + distance) * (_a * MathF.Pow(distance, _b) + 1f));
        for (var d = 0; d < current.Length; d++)
        {
            current[d] += Math.Clamp(coefficient * (current[d] - other[d]), -Clip, Clip) * alpha;
        }
    }

    private static float SquaredDistance(ReadOnlySpan<float> x, ReadOnlySpan<float> y)
    {
        var sum = 0f;
        for (var d = 0; d < x.Length; d++)
        {
            var delta = x[d] - y[d];
            sum += delta * delta;
        }
        return sum;
    }
}
