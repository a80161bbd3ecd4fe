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
}
