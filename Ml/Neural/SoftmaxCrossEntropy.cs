using System.Numerics.Tensors;

namespace Distributed.Ml.Neural;

/// <summary>
/// Softmax cross-entropy of a classifier's raw outputs (logits) against class labels: the loss of
/// a network trained to classify, with the softmax folded into the loss so that its gradient is
/// simply softmax − one-hot and no probability is ever taken the log of at zero.
/// </summary>
public static class SoftmaxCrossEntropy
{
    /// <summary>
    /// Returns the weighted mean loss of a batch (Σ wᵢ·CEᵢ / Σ wᵢ) and writes ∂loss/∂logits into
    /// <paramref name="gradient"/>. With <paramref name="labelSmoothing"/> s the targets are
    /// 1 − s + s/K for the label and s/K for the other K − 1 classes, and both the loss and the
    /// gradient (softmax − target) are those of the smoothed targets.
    /// </summary>
    /// <param name="logits">batch × classes raw outputs.</param>
    /// <param name="labels">The class of each sample, in [0, classes).</param>
    /// <param name="weights">One weight per sample (class balancing); every weight positive.</param>
    /// <param name="classes">Number of classes.</param>
    /// <param name="gradient">batch × classes, overwritten.</param>
    /// <param name="labelSmoothing">Share of each target spread over all classes, in [0, 1).</param>
    public static double Compute(ReadOnlySpan<float> logits, ReadOnlySpan<int> labels, ReadOnlySpan<float> weights, int classes, Span<float> gradient, double labelSmoothing = 0)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if (!(labelSmoothing is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), $"Label smoothing must be in [0, 1), got {labelSmoothing}.");
        }
        var spread = (float)(labelSmoothing / classes);
        var onLabel = (float)(1 - labelSmoothing) + spread;
        var batch = labels.Length;
        if (weights.Length != batch || logits.Length != batch * classes || gradient.Length < batch * classes)
        {
            throw new ArgumentException($"Softmax cross-entropy needs {batch}×{classes} logits and gradient and {batch} weights, got {logits.Length}, {gradient.Length} and {weights.Length}.");
        }
        var weightSum = TensorPrimitives.Sum(weights);
        if (!(weightSum > 0f))
        {
            throw new ArgumentException("The sample weights must have a positive sum.", nameof(weights));
        }
        double total = 0;
        for (var i = 0; i < batch; i++)
        {
            var label = labels[i];
            if ((uint)label >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), $"Label {label} is outside 0..{classes - 1}.");
            }
            var row = gradient.Slice(i * classes, classes);
            Softmax(logits.Slice(i * classes, classes), row);
            double crossEntropy = 0;
            for (var c = 0; c < classes; c++)
            {
                var target = c == label ? onLabel : spread;
                if (target > 0f)
                {
                    crossEntropy -= target * Math.Log(Math.Max(row[c], float.Epsilon));
                }
                row[c] -= target;
            }
            total += weights[i] * crossEntropy;
            TensorPrimitives.Multiply(row, weights[i] / weightSum, row);
        }
        return total / weightSum;
    }

    /// <summary>
    /// The least loss <see cref="Compute"/> can return with <paramref name="labelSmoothing"/> over
    /// <paramref name="classes"/> classes: the entropy of the smoothed target (0 without smoothing),
    /// reached when the softmax equals it.
    /// </summary>
    public static double TargetEntropy(double labelSmoothing, int classes)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        if (!(labelSmoothing is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(labelSmoothing), $"Label smoothing must be in [0, 1), got {labelSmoothing}.");
        }
        if (labelSmoothing == 0)
        {
            return 0;
        }
        var spread = labelSmoothing / classes;
        var onLabel = 1 - labelSmoothing + spread;
        return -onLabel * Math.Log(onLabel) - (classes - 1) * spread * Math.Log(spread);
    }

    /// <summary>Class probabilities of one sample's logits (shifted by their maximum so that no exponential overflows).</summary>
    public static void Softmax(ReadOnlySpan<float> logits, Span<float> probabilities)
    {
        var max = TensorPrimitives.Max(logits);
        TensorPrimitives.Subtract(logits, max, probabilities);
        TensorPrimitives.Exp(probabilities, probabilities);
        TensorPrimitives.Divide(probabilities, TensorPrimitives.Sum(probabilities), probabilities);
    }
}
