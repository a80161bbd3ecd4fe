using Distributed.Ml.Neural;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Neural;

public class SoftmaxCrossEntropyTests
{
    [Fact]
    public void OneSampleByHand()
    {
        // softmax(0, ln 3) = (1/4, 3/4): the loss of class 1 is −ln 3/4, its gradient softmax − one-hot.
        float[] logits = [0f, MathF.Log(3f)];
        var gradient = new float[2];
        var loss = SoftmaxCrossEntropy.Compute(logits, [1], [1f], 2, gradient);
        Assert.Equal(-Math.Log(0.75), loss, 6);
        Assert.Equal(0.25f, gradient[0], 6);
        Assert.Equal(-0.25f, gradient[1], 6);
    }

    [Fact]
    public void GradientMatchesCentralDifferencesWithWeights()
    {
        var rng = new Rng(3);
        const int batch = 4, classes = 5;
        var logits = Enumerable.Range(0, batch * classes).Select(_ => (float)rng.NextGaussian()).ToArray();
        int[] labels = [0, 3, 4, 3];
        float[] weights = [1f, 0.5f, 2f, 1.5f];
        var gradient = new float[logits.Length];
        SoftmaxCrossEntropy.Compute(logits, labels, weights, classes, gradient);
        var scratch = new float[logits.Length];
        for (var i = 0; i < logits.Length; i++)
        {
            var shifted = (float[])logits.Clone();
            shifted[i] += 1e-2f;
            var up = SoftmaxCrossEntropy.Compute(shifted, labels, weights, classes, scratch);
            shifted[i] -= 2e-2f;
            var down = SoftmaxCrossEntropy.Compute(shifted, labels, weights, classes, scratch);
            Assert.Equal((up - down) / 2e-2, gradient[i], 3);
        }
    }

    [Fact]
    public void SmoothedTargetsByHand()
    {
        // Smoothing 0.2 over 2 classes: targets (0.1, 0.9); softmax (1/4, 3/4).
        float[] logits = [0f, MathF.Log(3f)];
        var gradient = new float[2];
        var loss = SoftmaxCrossEntropy.Compute(logits, [1], [1f], 2, gradient, labelSmoothing: 0.2);
        Assert.Equal(-0.1 * Math.Log(0.25) - 0.9 * Math.Log(0.75), loss, 6);
        Assert.Equal(0.15f, gradient[0], 6);
        Assert.Equal(-0.15f, gradient[1], 6);
    }

    [Fact]
    public void TheSmoothedLossReachesTheTargetsEntropyWhereTheSoftmaxEqualsThem()
    {
        // Logits whose softmax is (0.91, 0.01 × 9): the smoothed target of label 0 at 0.1 over 10 classes.
        var logits = new float[10];
        logits[0] = MathF.Log(91f);
        var gradient = new float[10];
        var loss = SoftmaxCrossEntropy.Compute(logits, [0], [1f], 10, gradient, labelSmoothing: 0.1);
        Assert.Equal(SoftmaxCrossEntropy.TargetEntropy(0.1, 10), loss, 5);
        Assert.All(gradient, g => Assert.Equal(0f, g, 5));
        Assert.Equal(0, SoftmaxCrossEntropy.TargetEntropy(0, 10));
    }

    [Fact]
    public void SmoothedGradientMatchesCentralDifferences()
    {
        var rng = new Rng(4);
        const int batch = 3, classes = 4;
        var logits = Enumerable.Range(0, batch * classes).Select(_ => (float)rng.NextGaussian()).ToArray();
        int[] labels = [1, 0, 3];
        float[] weights = [1f, 2f, 0.5f];
        var gradient = new float[logits.Length];
        SoftmaxCrossEntropy.Compute(logits, labels, weights, classes, gradient, labelSmoothing: 0.3);
        var scratch = new float[logits.Length];
        for (var i = 0; i < logits.Length; i++)
        {
            var shifted = (float[])logits.Clone();
            shifted[i] += 1e-2f;
            var up = SoftmaxCrossEntropy.Compute(shifted, labels, weights, classes, scratch, labelSmoothing: 0.3);
            shifted[i] -= 2e-2f;
            var down = SoftmaxCrossEntropy.Compute(shifted, labels, weights, classes, scratch, labelSmoothing: 0.3);
            Assert.Equal((up - down) / 2e-2, gradient[i], 3);
        }
    }

    [Fact]
    public void AWeightOfTwoCountsLikeTheSampleTwice()
    {
        float[] logits = [0.3f, -1f, 2f, 1f, 0f, -0.5f];
        var weighted = SoftmaxCrossEntropy.Compute(logits, [2, 0], [2f, 1f], 3, new float[6]);
        var repeated = SoftmaxCrossEntropy.Compute([.. logits[..3], .. logits[..3], .. logits[3..]], [2, 2, 0], [1f, 1f, 1f], 3, new float[9]);
        Assert.Equal(repeated, weighted, 10);
    }

    [Fact]
    public void HugeLogitsStayFinite()
    {
        var probabilities = new float[2];
        SoftmaxCrossEntropy.Softmax([1000f, 0f], probabilities);
        Assert.Equal([1f, 0f], probabilities);
        var gradient = new float[2];
        var loss = SoftmaxCrossEntropy.Compute([1000f, 0f], [1], [1f], 2, gradient);
        Assert.True(double.IsFinite(loss) && loss > 80, $"loss {loss}");
        Assert.All(gradient, g => Assert.True(float.IsFinite(g)));
    }

    [Fact]
    public void ALabelOutsideTheClassesIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxCrossEntropy.Compute([0f, 0f], [2], [1f], 2, new float[2]));

    [Theory]
    [InlineData(-0.1)]
    [InlineData(1.0)]
    [InlineData(double.NaN)]
    public void SmoothingOutsideZeroToOneIsRefused(double smoothing) =>
        Assert.Throws<ArgumentOutOfRangeException>(() => SoftmaxCrossEntropy.Compute([0f, 0f], [1], [1f], 2, new float[2], smoothing));
}
