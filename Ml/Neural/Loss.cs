namespace Distributed.Ml.Neural;

/// <summary>Loss values and gradients for <see cref="LossFunction"/>.</summary>
public static class Loss
{
    /// <summary>
    /// Returns the mean loss of <paramref name="prediction"/> against <paramref name="target"/> and
    /// writes ∂loss/∂prediction into <paramref name="gradient"/> (same length).
    /// </summary>
    public static double Compute(LossFunction function, ReadOnlySpan<float> prediction, ReadOnlySpan<float> target, Span<float> gradient)
    {
        if (prediction.Length != target.Length || gradient.Length < prediction.Length)
        {
            throw new ArgumentException($"Loss needs equal lengths, got prediction {prediction.Length}, target {target.Length}, gradient {gradient.Length}.");
        }
        var count = prediction.Length;
        if (count == 0)
        {
            return 0;
        }
        var scale = 1f / count;
        double total = 0;
        if (function == LossFunction.MeanSquaredError)
        {
            for (var i = 0; i < count; i++)
            {
                var difference = prediction[i] - target[i];
                total += difference * difference;
                gradient[i] = 2f * scale * difference;
            }
        }
        else
        {
            for (var i = 0; i < count; i++)
            {
                // log(1 + e^z) − t·z written so that neither exponential overflows.
                var z = prediction[i];
                total += Math.Max(z, 0f) - z * target[i] + Math.Log(1 + Math.Exp(-Math.Abs(z)));
                gradient[i] = scale * (1f / (1f + MathF.Exp(-z)) - target[i]);
            }
        }
        return total / count;
    }

    /// <summary>Maps the network's raw output to the reconstruction the loss compares (sigmoid for cross-entropy).</summary>
    public static void Reconstruct(LossFunction function, ReadOnlySpan<float> output, Span<float> reconstruction)
    {
        if (function == LossFunction.BinaryCrossEntropy)
        {
            System.Numerics.Tensors.TensorPrimitives.Sigmoid(output, reconstruction);
        }
        else
        {
            output.CopyTo(reconstruction);
        }
    }
}
