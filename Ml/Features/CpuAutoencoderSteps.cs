using Distributed.Ml.Neural;

namespace Distributed.Ml.Features;

/// <summary>Mini-batch steps on the CPU layers (SGEMM through OpenBLAS or the managed kernel): forward, loss, backward, Adam.</summary>
internal sealed class CpuAutoencoderSteps : IAutoencoderSteps
{
    private readonly Network _network;
    private readonly LossFunction _loss;
    private readonly AdamOptimizer _optimizer;
    private readonly float[] _gradient;
    private double _lossSum;

    public CpuAutoencoderSteps(Network network, AutoencoderOptions options)
    {
        _network = network;
        _loss = options.Loss;
        _optimizer = new AdamOptimizer(network.Parameters, options.LearningRate);
        _gradient = new float[network.MaxBatch * network.InputShape.Size];
    }

    public void Step(ReadOnlySpan<float> batch, int count)
    {
        var output = _network.Forward(batch, count, training: true);
        var outputGradient = _gradient.AsSpan(0, batch.Length);
        _lossSum += Loss.Compute(_loss, output, batch, outputGradient) * count;
        _network.Backward(batch, outputGradient, count);
        _optimizer.Step();
    }

    public double TakeEpochLossSum()
    {
        var sum = _lossSum;
        _lossSum = 0;
        return sum;
    }

    // The layers were trained in place.
    public void CopyParametersToNetwork()
    {
    }

    public void Dispose()
    {
    }
}
