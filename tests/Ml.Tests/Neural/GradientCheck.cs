using Distributed.Ml.Neural;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Neural;

/// <summary>
/// Central-difference gradient check of a layer under the loss L = Σ R ∘ y with a fixed random R.
/// Each evaluation builds a fresh layer from the factory (same seed → same weights and dropout
/// mask), so stochastic layers are checked with their mask held fixed.
/// </summary>
internal static class GradientCheck
{
    private const float Step = 1e-2f;
    private const double Tolerance = 2e-2;

    public static void Verify(Func<Layer> factory, int batch, ulong seed, bool training = true, Func<Rng, float>? inputValue = null)
    {
        var rng = new Rng(seed);
        var probe = factory();
        var input = new float[batch * probe.InputShape.Size];
        for (var i = 0; i < input.Length; i++)
        {
            input[i] = inputValue?.Invoke(rng) ?? (float)rng.NextGaussian();
        }
        var weights = new float[batch * probe.OutputShape.Size];
        for (var i = 0; i < weights.Length; i++)
        {
            weights[i] = (float)rng.NextGaussian();
        }

        var layer = factory();
        var output = new float[weights.Length];
        layer.Forward(input, output, batch, training);
        var inputGradient = new float[input.Length];
        layer.Backward(input, output, weights, inputGradient, batch);

        for (var i = 0; i < input.Length; i++)
        {
            var numeric = Numeric(factory, input, i, null, 0, weights, batch, training);
            AssertClose(inputGradient[i], numeric, $"∂L/∂input[{i}] of {probe.GetType().Name} (seed {seed})");
        }
        for (var p = 0; p < layer.Parameters.Count; p++)
        {
            var gradient = layer.Parameters[p].Gradient;
            for (var j = 0; j < gradient.Length; j++)
            {
                var numeric = Numeric(factory, input, -1, p, j, weights, batch, training);
                AssertClose(gradient[j], numeric, $"∂L/∂{layer.Parameters[p].Name}[{j}] of {probe.GetType().Name} (seed {seed})");
            }
        }
    }

    private static double Numeric(Func<Layer> factory, float[] input, int inputIndex, int? parameter, int parameterIndex, float[] weights, int batch, bool training)
    {
        return (Loss(+Step) - Loss(-Step)) / (2 * Step);

        double Loss(float delta)
        {
            var layer = factory();
            var x = (float[])input.Clone();
            if (inputIndex >= 0)
            {
                x[inputIndex] += delta;
            }
            if (parameter is { } p)
            {
                layer.Parameters[p].Value[parameterIndex] += delta;
            }
            var y = new float[weights.Length];
            layer.Forward(x, y, batch, training);
            double total = 0;
            for (var i = 0; i < y.Length; i++)
            {
                total += (double)weights[i] * y[i];
            }
            return total;
        }
    }

    private static void AssertClose(double analytic, double numeric, string what)
    {
        var error = Math.Abs(analytic - numeric) / Math.Max(1.0, Math.Abs(analytic) + Math.Abs(numeric));
        Assert.True(error < Tolerance, $"{what}: analytic {analytic:G6}, numeric {numeric:G6}");
    }
}
