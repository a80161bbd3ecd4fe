using Distributed.Ml.Neural;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Neural;

/// <summary>The im2col + SGEMM convolutions against direct loops written from the definitions.</summary>
public class ConvolutionTests
{
    [Theory]
    [InlineData(5, 5, 1, 5, 2, 2)]
    [InlineData(7, 6, 3, 3, 1, 1)]
    [InlineData(7, 7, 2, 3, 2, 0)]
    public void Conv2dMatchesDirectConvolution(int height, int width, int channels, int kernel, int stride, int padding)
    {
        var layer = new Conv2d(new TensorShape(height, width, channels), filters: 4, kernel, stride, padding, new Rng(1));
        var batch = 2;
        var input = Random(batch * layer.InputShape.Size, 2);
        var output = new float[batch * layer.OutputShape.Size];
        layer.Forward(input, output, batch, training: false);

        var weight = layer.Parameters[0].Value;
        var bias = layer.Parameters[1].Value;
        var o = layer.OutputShape;
        for (var b = 0; b < batch; b++)
        {
            for (var oy = 0; oy < o.Height; oy++)
            {
                for (var ox = 0; ox < o.Width; ox++)
                {
                    for (var f = 0; f < o.Channels; f++)
                    {
                        double expected = bias[f];
                        for (var ky = 0; ky < kernel; ky++)
                        {
                            for (var kx = 0; kx < kernel; kx++)
                            {
                                int y = oy * stride - padding + ky, x = ox * stride - padding + kx;
                                if (y < 0 || y >= height || x < 0 || x >= width)
                                {
                                    continue;
                                }
                                for (var c = 0; c < channels; c++)
                                {
                                    expected += input[((b * height + y) * width + x) * channels + c] * weight[((ky * kernel + kx) * channels + c) * o.Channels + f];
                                }
                            }
                        }
                        Assert.Equal(expected, output[((b * o.Height + oy) * o.Width + ox) * o.Channels + f], 1e-4);
                    }
                }
            }
        }
    }

    [Theory]
    [InlineData(3, 3, 3, 2, 0, 0, 7)]
    [InlineData(7, 7, 5, 2, 2, 1, 14)]
    [InlineData(14, 14, 5, 2, 2, 1, 28)]
    public void ConvTranspose2dScattersEachInputThroughTheKernel(int height, int width, int kernel, int stride, int padding, int outputPadding, int expectedSize)
    {
        var layer = new ConvTranspose2d(new TensorShape(height, width, 2), filters: 3, kernel, stride, padding, outputPadding, new Rng(4));
        Assert.Equal(new TensorShape(expectedSize, expectedSize, 3), layer.OutputShape);
        var input = Random(layer.InputShape.Size, 5);
        var output = new float[layer.OutputShape.Size];
        layer.Forward(input, output, 1, training: false);

        var weight = layer.Parameters[0].Value;
        var bias = layer.Parameters[1].Value;
        var o = layer.OutputShape;
        var expected = new double[o.Size];
        for (var i = 0; i < expected.Length; i++)
        {
            expected[i] = bias[i % o.Channels];
        }
        for (var y = 0; y < height; y++)
        {
            for (var x = 0; x < width; x++)
            {
                for (var c = 0; c < 2; c++)
                {
                    for (var ky = 0; ky < kernel; ky++)
                    {
                        for (var kx = 0; kx < kernel; kx++)
                        {
                            int oy = y * stride - padding + ky, ox = x * stride - padding + kx;
                            if (oy < 0 || oy >= o.Height || ox < 0 || ox >= o.Width)
                            {
                                continue;
                            }
                            for (var f = 0; f < o.Channels; f++)
                            {
                                expected[(oy * o.Width + ox) * o.Channels + f] += input[(y * width + x) * 2 + c] * weight[c * kernel * kernel * o.Channels + (ky * kernel + kx) * o.Channels + f];
                            }
                        }
                    }
                }
            }
        }
        for (var i = 0; i < expected.Length; i++)
        {
            Assert.Equal(expected[i], output[i], 1e-4);
        }
    }

    [Fact]
    public void MaxPoolTakesEachWindowsMaximum()
    {
        var layer = new MaxPool2d(new TensorShape(2, 4, 1), window: 2, stride: 2);
        float[] input = [1, 5, 2, 0, 3, -1, 7, 4];
        var output = new float[2];
        layer.Forward(input, output, 1, training: true);
        Assert.Equal([5f, 7f], output);
        var gradient = new float[8];
        layer.Backward(input, output, [10f, 20f], gradient, 1);
        Assert.Equal([0f, 10f, 0f, 0f, 0f, 0f, 20f, 0f], gradient);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(19)]
    [InlineData(64)]
    public void MaxPoolsInferencePassIsTheTrainingPassToTheBit(int channels)
    {
        // Odd sizes leave rows and columns outside every window; the channels cover whole vectors and a tail.
        var shape = new TensorShape(7, 5, channels);
        var layer = new MaxPool2d(shape, window: 2, stride: 2);
        var input = Random(3 * shape.Size, seed: 11);
        // The scalar rule's edge cases: NaN is never taken, and all-equal windows keep their value.
        input[0] = float.NaN;
        input[channels] = float.NaN;
        input.AsSpan(shape.Size, 4 * channels).Fill(0.25f);
        var trained = new float[3 * layer.OutputShape.Size];
        var inferred = new float[trained.Length];

        layer.Forward(input, trained, 3, training: true);
        layer.Forward(input, inferred, 3, training: false);

        Assert.Equal(trained.Select(BitConverter.SingleToInt32Bits), inferred.Select(BitConverter.SingleToInt32Bits));
        Assert.DoesNotContain(inferred, float.IsNaN);
    }

    [Fact]
    public void ShapesThatDoNotFitAreRejected()
    {
        Assert.Throws<ArgumentException>(() => new Conv2d(new TensorShape(2, 2, 1), 1, kernel: 5, stride: 1, padding: 0, new Rng(1)));
        Assert.Throws<ArgumentOutOfRangeException>(() => new ConvTranspose2d(new TensorShape(3, 3, 1), 1, kernel: 3, stride: 2, padding: 0, outputPadding: 2, new Rng(1)));
    }

    internal static float[] Random(int length, ulong seed)
    {
        var rng = new Rng(seed);
        var values = new float[length];
        for (var i = 0; i < length; i++)
        {
            values[i] = (float)rng.NextGaussian();
        }
        return values;
    }
}
