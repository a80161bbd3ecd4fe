using Distributed.Ml.Neural;

namespace Distributed.Ml.Tests.Neural;

public class ActivationTests
{
    /// <summary>
    /// The rules written out per element, against the layer's vectorised passes to the bit, on a
    /// length with whole vectors and a tail, and with zeros of both signs, NaN and infinities among
    /// the inputs and the incoming gradients.
    /// </summary>
    [Theory]
    [InlineData(ActivationKind.Relu)]
    [InlineData(ActivationKind.LeakyRelu)]
    [InlineData(ActivationKind.Sigmoid)]
    public void ForwardAndBackwardFollowTheElementRulesToTheBit(ActivationKind kind)
    {
        const float slope = 0.1f;
        var shape = new TensorShape(3, 7, 1);
        const int batch = 2;
        var layer = new Activation(shape, kind, slope);
        var input = ConvolutionTests.Random(batch * shape.Size, seed: 5).Select(v => 4 * v - 2).ToArray();
        var gradient = ConvolutionTests.Random(input.Length, seed: 6).Select(v => 2 * v - 1).ToArray();
        float[] special = [0f, -0f, float.NaN, float.PositiveInfinity, float.NegativeInfinity];
        special.CopyTo(input, 3);
        special.CopyTo(gradient, 20);
        special.CopyTo(gradient, input.Length - 5);
        var output = new float[input.Length];
        var inputGradient = new float[input.Length];

        layer.Forward(input, output, batch, training: true);
        layer.Backward(input, output, gradient, inputGradient, batch);

        for (var i = 0; i < input.Length; i++)
        {
            var (expectedOutput, expectedGradient) = kind switch
            {
                ActivationKind.Relu => (MathF.Max(input[i], 0f), output[i] > 0f ? gradient[i] : 0f),
                ActivationKind.LeakyRelu => (input[i] > 0f ? input[i] : slope * input[i], input[i] > 0f ? gradient[i] : slope * gradient[i]),
                _ => (output[i], gradient[i] * output[i] * (1f - output[i])),
            };
            if (kind != ActivationKind.Sigmoid)
            {
                Assert.Equal(BitConverter.SingleToInt32Bits(expectedOutput), BitConverter.SingleToInt32Bits(output[i]));
            }
            Assert.Equal(BitConverter.SingleToInt32Bits(expectedGradient), BitConverter.SingleToInt32Bits(inputGradient[i]));
        }
    }
}
