using Distributed.Ml.Neural;
using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Tests.Neural;

public class NetworkTests
{
    [Theory]
    [InlineData(LossFunction.MeanSquaredError)]
    [InlineData(LossFunction.BinaryCrossEntropy)]
    public void LossGradientMatchesFiniteDifferences(LossFunction function)
    {
        var prediction = ConvolutionTests.Random(20, 3);
        var target = new float[20];
        var rng = new Rng(4);
        for (var i = 0; i < target.Length; i++)
        {
            target[i] = rng.NextSingle();
        }
        var gradient = new float[20];
        Loss.Compute(function, prediction, target, gradient);
        var scratch = new float[20];
        for (var i = 0; i < prediction.Length; i++)
        {
            var original = prediction[i];
            prediction[i] = original + 1e-3f;
            var up = Loss.Compute(function, prediction, target, scratch);
            prediction[i] = original - 1e-3f;
            var down = Loss.Compute(function, prediction, target, scratch);
            prediction[i] = original;
            Assert.Equal((up - down) / 2e-3, gradient[i], 3);
        }
    }

    [Fact]
    public void BinaryCrossEntropyOnLogitsIsTheTextbookValue()
    {
        // BCE(σ(0.5), 1) = −log σ(0.5) and BCE(σ(−2), 0.25) = −(0.25·log σ(−2) + 0.75·log(1 − σ(−2))).
        static double Sigmoid(double z) => 1 / (1 + Math.Exp(-z));
        var expected = (-Math.Log(Sigmoid(0.5)) - (0.25 * Math.Log(Sigmoid(-2)) + 0.75 * Math.Log(1 - Sigmoid(-2)))) / 2;
        Assert.Equal(expected, Loss.Compute(LossFunction.BinaryCrossEntropy, [0.5f, -2f], [1f, 0.25f], new float[2]), 6);
    }

    [Fact]
    public void NetworkBackwardMatchesFiniteDifferencesThroughEveryLayerType()
    {
        Network Build()
        {
            var rng = new Rng(31);
            var image = new TensorShape(6, 6, 1);
            var conv = new Conv2d(image, 3, 3, 2, 1, rng);
            var pooled = new MaxPool2d(conv.OutputShape, 1, 1);
            var norm = new BatchNorm(pooled.OutputShape);
            var act = new Activation(norm.OutputShape, ActivationKind.LeakyRelu);
            var dense = new Dense(act.OutputShape, new TensorShape(3, 3, 2), rng);
            var deconv = new ConvTranspose2d(dense.OutputShape, 1, 3, 2, 1, 1, rng);
            return new Network([conv, pooled, norm, act, dense, deconv], maxBatch: 4);
        }

        var input = ConvolutionTests.Random(3 * 36, 8);
        var network = Build();
        var output = network.Forward(input, 3, training: true).ToArray();
        var gradient = new float[output.Length];
        var loss = Loss.Compute(LossFunction.BinaryCrossEntropy, output, input, gradient);
        network.Backward(input, gradient, 3);
        Assert.True(loss > 0);

        var parameters = network.Parameters.ToArray();
        var scratch = new float[output.Length];
        foreach (var (p, j) in new[] { (0, 4), (1, 2), (2, 1), (4, 10), (6, 7), (7, 0) })
        {
            double Evaluate(float delta)
            {
                var fresh = Build();
                fresh.Parameters.ElementAt(p).Value[j] += delta;
                return Loss.Compute(LossFunction.BinaryCrossEntropy, fresh.Forward(input, 3, training: true), input, scratch);
            }
            var numeric = (Evaluate(1e-2f) - Evaluate(-1e-2f)) / 2e-2;
            var analytic = parameters[p].Gradient[j];
            Assert.True(Math.Abs(numeric - analytic) < 2e-2 * Math.Max(1e-2, Math.Abs(numeric)) + 1e-4, $"parameter {p}[{j}]: analytic {analytic}, numeric {numeric}");
        }
    }

    [Fact]
    public void AdamFirstStepMovesEachParameterByTheLearningRateAgainstItsGradient()
    {
        var parameter = new Parameter("w", 3);
        parameter.Value[0] = 1f;
        parameter.Gradient[0] = 0.5f;
        parameter.Gradient[1] = -2f;
        parameter.Gradient[2] = 0f;
        var adam = new AdamOptimizer([parameter], learningRate: 0.1f);
        adam.Step();
        // With bias correction the first update is lr·g/(|g| + ε): a step of exactly lr for any non-zero g.
        Assert.Equal(0.9f, parameter.Value[0], 5);
        Assert.Equal(0.1f, parameter.Value[1], 5);
        Assert.Equal(0f, parameter.Value[2]);
    }

    [Fact]
    public void AdamUpdatesALargeParameterInChunksToTheSameBitsAsThePlainFormula()
    {
        // 300,007 values: five chunks shared out to threads, the last one with a scalar tail.
        const int length = 300_007;
        const float learningRate = 0.01f;
        var parameter = new Parameter("w", length);
        var rng = new Rng(3);
        for (var i = 0; i < length; i++)
        {
            parameter.Value[i] = rng.NextSingle() - 0.5f;
        }
        var value = parameter.Value.ToArray();
        var first = new float[length];
        var second = new float[length];
        var adam = new AdamOptimizer([parameter], learningRate);
        for (var step = 1; step <= 3; step++)
        {
            for (var i = 0; i < length; i++)
            {
                parameter.Gradient[i] = rng.NextSingle() - 0.5f;
            }
            adam.Step();
            var (stepSize, epsilon) = AdamOptimizer.BiasCorrected(learningRate, AdamOptimizer.DefaultBeta1, AdamOptimizer.DefaultBeta2, AdamOptimizer.DefaultEpsilon, step);
            for (var i = 0; i < length; i++)
            {
                var g = parameter.Gradient[i];
                first[i] = AdamOptimizer.DefaultBeta1 * first[i] + (1 - AdamOptimizer.DefaultBeta1) * g;
                second[i] = AdamOptimizer.DefaultBeta2 * second[i] + (1 - AdamOptimizer.DefaultBeta2) * g * g;
                value[i] -= stepSize * first[i] / (MathF.Sqrt(second[i]) + epsilon);
            }
            Assert.Equal(value, parameter.Value);
        }
    }

    [Fact]
    public void ShapesThatDoNotChainAreRejected()
    {
        var rng = new Rng(1);
        Assert.Throws<ArgumentException>(() => new Network([new Dense(4, 3, rng), new Dense(2, 1, rng)], 1));
    }

    [Fact]
    public void SaveAndLoadGiveTheSameOutputs()
    {
        var rng = new Rng(2);
        var conv = new Conv2d(new TensorShape(5, 5, 1), 2, 3, 1, 1, rng);
        var norm = new BatchNorm(conv.OutputShape);
        var network = new Network([conv, norm, new Activation(norm.OutputShape, ActivationKind.Relu), new Dropout(norm.OutputShape, 0.2f, rng), new Dense(norm.OutputShape, TensorShape.Vector(3), rng)], 8);
        var input = ConvolutionTests.Random(4 * 25, 9);
        network.Forward(input, 4, training: true); // moves the batch-norm running statistics off their initial values
        var expected = network.Forward(input, 4, training: false).ToArray();

        using var stream = new MemoryStream();
        using (var writer = new ModelWriter(stream, "test-network", 1))
        {
            network.Save(writer);
        }
        stream.Position = 0;
        using var reader = new ModelReader(stream, "test-network", 1);
        var loaded = Network.Load(reader, 8);
        Assert.Equal(expected, loaded.Forward(input, 4, training: false).ToArray());
    }
}
