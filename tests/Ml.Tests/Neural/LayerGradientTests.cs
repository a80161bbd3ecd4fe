using Distributed.Ml.Neural;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Neural;

public class LayerGradientTests
{
    [Theory]
    [InlineData(1UL)]
    [InlineData(2UL)]
    public void Dense(ulong seed) =>
        GradientCheck.Verify(() => new Dense(new TensorShape(2, 2, 2), TensorShape.Vector(5), new Rng(seed)), batch: 3, seed);

    [Theory]
    [InlineData(1, 0)]
    [InlineData(2, 1)]
    [InlineData(2, 2)]
    public void Conv2d(int stride, int padding) =>
        GradientCheck.Verify(() => new Conv2d(new TensorShape(6, 5, 2), filters: 3, kernel: 3, stride, padding, new Rng(7)), batch: 2, seed: 11);

    [Theory]
    [InlineData(1, 0, 0)]
    [InlineData(2, 1, 1)]
    [InlineData(2, 2, 1)]
    public void ConvTranspose2d(int stride, int padding, int outputPadding) =>
        GradientCheck.Verify(() => new ConvTranspose2d(new TensorShape(3, 4, 3), filters: 2, kernel: 3, stride, padding, outputPadding, new Rng(5)), batch: 2, seed: 13);

    [Fact]
    public void MaxPool2d() =>
        // Spread-out distinct inputs so no window has a near tie within the finite-difference step.
        GradientCheck.Verify(() => new MaxPool2d(new TensorShape(4, 6, 2), window: 2, stride: 2), batch: 2, seed: 3, inputValue: DistinctValue());

    [Theory]
    [InlineData(ActivationKind.Relu)]
    [InlineData(ActivationKind.LeakyRelu)]
    [InlineData(ActivationKind.Sigmoid)]
    public void Activation(ActivationKind kind) =>
        // Inputs kept away from ReLU's kink at 0.
        GradientCheck.Verify(() => new Activation(new TensorShape(2, 3, 2), kind, 0.1f), batch: 3, seed: 17, inputValue: AwayFromZero);

    [Fact]
    public void BatchNormTraining()
    {
        GradientCheck.Verify(() =>
        {
            var layer = new BatchNorm(new TensorShape(2, 2, 3));
            // Non-trivial scale and shift so their gradients are exercised away from the identity.
            for (var c = 0; c < 3; c++)
            {
                layer.Parameters[0].Value[c] = 0.5f + c;
                layer.Parameters[1].Value[c] = c - 1f;
            }
            return layer;
        }, batch: 4, seed: 19);
    }

    [Fact]
    public void DropoutWithFixedMask() =>
        GradientCheck.Verify(() => new Dropout(TensorShape.Vector(12), 0.4f, new Rng(23)), batch: 3, seed: 29);

    private static float AwayFromZero(Rng rng)
    {
        var magnitude = 0.2f + rng.NextSingle();
        return rng.NextSingle() < 0.5f ? -magnitude : magnitude;
    }

    private static Func<Rng, float> DistinctValue()
    {
        var next = 0;
        return rng => (next++ * 37 % 101) * 0.1f - 5f;
    }
}
