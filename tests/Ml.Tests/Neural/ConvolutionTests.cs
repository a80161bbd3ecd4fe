using Distributed.Ml.Neural;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Neural;

/// <summary>The im2col + SGEMM convolutions against direct loops written from the definitions.</summary>
public class ConvolutionTests
{
    /// <summary>Unpadded inference reads the patches in place; its sums are the patch matrix's to the bit.</summary>
    [Theory]
    [InlineData(28, 28, 1, 3, 1, 32)] // the self-labelling CNN's first convolution
    [InlineData(13, 13, 32, 3, 1, 64)] // its second, while its weights are not fixed
    [InlineData(9, 7, 3, 3, 2, 5)] // stride 2, and fewer filters than a vector (the scalar tail)
    public void UnpaddedInferenceReadsPatchesInPlaceToTheBit(int height, int width, int channels, int kernel, int stride, int filters)
    {
        var shape = new TensorShape(height, width, channels);
        var layer = new Conv2d(shape, filters, kernel, stride, padding: 0, new Rng(3));
        const int batch = 3;
        var input = Random(batch * shape.Size, 4);
        var output = new float[batch * layer.OutputShape.Size];
        layer.Forward(input, output, batch, training: false);

        var geometry = ConvGeometry.ForImage(shape, kernel, stride, padding: 0);
        var columns = new float[batch * geometry.Patches * geometry.PatchSize];
        geometry.Im2Col(input, columns, batch);
        var expected = new float[output.Length];
        InferenceGemm.MultiplyAddBias(columns, batch * geometry.Patches, geometry.PatchSize, layer.Parameters[0].Value, filters, layer.Parameters[1].Value, expected);
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), output.Select(BitConverter.SingleToInt32Bits));
    }

    /// <summary>
    /// Once its weights are fixed, an unpadded 3×3 stride-1 convolution takes Winograd's form: within
    /// rounding of the direct sum, and an image's output the same to the bit alone or in a batch.
    /// </summary>
    [Theory]
    [InlineData(13, 13, 32, 64)] // the self-labelling CNN's second convolution: an odd grid (11×11)
    [InlineData(5, 5, 64, 64)] // its third (3×3)
    [InlineData(8, 6, 16, 16)] // even grids (6×4): no padding to whole blocks
    public void FixedWeightsTakeWinogradsFormWithinRoundingAndTheSameAloneOrInABatch(int height, int width, int channels, int filters)
    {
        var shape = new TensorShape(height, width, channels);
        var layer = new Conv2d(shape, filters, kernel: 3, stride: 1, padding: 0, new Rng(5));
        const int batch = 3;
        var input = Random(batch * shape.Size, 6);
        var direct = new float[batch * layer.OutputShape.Size];
        layer.Forward(input, direct, batch, training: false);

        layer.FixWeights();
        var together = new float[direct.Length];
        layer.Forward(input, together, batch, training: false);
        var largest = direct.Max(MathF.Abs);
        Assert.NotEqual(direct.Select(BitConverter.SingleToInt32Bits), together.Select(BitConverter.SingleToInt32Bits));
        for (var i = 0; i < direct.Length; i++)
        {
            Assert.True(Math.Abs(direct[i] - together[i]) <= 1e-5 * largest, $"output {i}: {together[i]} against {direct[i]}");
        }
        for (var b = 0; b < batch; b++)
        {
            var alone = new float[layer.OutputShape.Size];
            layer.Forward(input.AsSpan(b * shape.Size, shape.Size), alone, 1, training: false);
            Assert.Equal(together.AsSpan(b * alone.Length, alone.Length).ToArray().Select(BitConverter.SingleToInt32Bits), alone.Select(BitConverter.SingleToInt32Bits));
        }
    }

    [Fact]
    public void ALayerWhoseWeightsAreFixedRefusesTraining()
    {
        var shape = new TensorShape(5, 5, 16);
        var layer = new Conv2d(shape, filters: 16, kernel: 3, stride: 1, padding: 0, new Rng(2));
        layer.FixWeights();
        Assert.Throws<InvalidOperationException>(() => layer.Forward(new float[shape.Size], new float[layer.OutputShape.Size], 1, training: true));
    }

    /// <summary>Other geometries keep the direct form when their weights are fixed.</summary>
    [Theory]
    [InlineData(28, 28, 1, 32, 1)] // one channel: the transforms would cost more than they save
    [InlineData(13, 13, 32, 64, 2)] // stride 2
    [InlineData(9, 9, 24, 16, 1)] // channels not a multiple of 16
    public void OtherGeometriesKeepTheDirectFormWhenFixed(int height, int width, int channels, int filters, int stride)
    {
        var shape = new TensorShape(height, width, channels);
        var layer = new Conv2d(shape, filters, kernel: 3, stride, padding: 0, new Rng(8));
        var input = Random(2 * shape.Size, 9);
        var before = new float[2 * layer.OutputShape.Size];
        layer.Forward(input, before, 2, training: false);
        layer.FixWeights();
        var after = new float[before.Length];
        layer.Forward(input, after, 2, training: false);
        Assert.Equal(before.Select(BitConverter.SingleToInt32Bits), after.Select(BitConverter.SingleToInt32Bits));
    }

    [Fact]
    public void AGatheredRowOutsideTheBufferIsRefused()
    {
        var geometry = ConvGeometry.ForImage(new TensorShape(5, 5, 2), kernel: 3, stride: 1, padding: 0);
        var image = new float[geometry.Image.Size];
        var weights = new float[geometry.PatchSize * 4];
        var output = new float[2 * geometry.Patches * 4];
        // Two images' patches over one image's values.
        Assert.Throws<ArgumentException>(() =>
            InferenceGemm.MultiplyGatheredAddBias(image, new PatchRows(geometry), 2 * geometry.Patches, weights, 4, new float[4], output));
    }

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

    /// <summary>
    /// Both passes against the scalar rule written out here: each window's first greatest value
    /// (NaN never taken), its bits, and the backward pass routing each gradient to that value's
    /// position; channel counts of whole vectors, a tail, and one channel, and (inference on
    /// 512-bit hardware) 16-lane vectors followed by narrower ones and a tail.
    /// </summary>
    [Theory]
    [InlineData(1)]
    [InlineData(8)]
    [InlineData(19)]
    [InlineData(24)]
    [InlineData(37)]
    [InlineData(64)]
    public void MaxPoolFollowsTheScalarRuleToTheBit(int channels)
    {
        // Odd sizes leave rows and columns outside every window.
        var shape = new TensorShape(7, 5, channels);
        var layer = new MaxPool2d(shape, window: 2, stride: 2);
        const int batch = 3;
        var input = Random(batch * shape.Size, seed: 11);
        input[0] = float.NaN;
        input[channels] = float.NaN;
        // Windows of equal values: the first one wins.
        input.AsSpan(shape.Size, 4 * channels).Fill(0.25f);
        var (expected, positions) = ScalarMaxPool(input, shape, layer.OutputShape, batch, window: 2, stride: 2);
        var trained = new float[expected.Length];
        var inferred = new float[expected.Length];

        layer.Forward(input, inferred, batch, training: false);
        layer.Forward(input, trained, batch, training: true);
        var outputGradient = Enumerable.Range(1, expected.Length).Select(i => (float)i).ToArray();
        var inputGradient = new float[input.Length];
        layer.Backward(input, trained, outputGradient, inputGradient, batch);

        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), trained.Select(BitConverter.SingleToInt32Bits));
        Assert.Equal(expected.Select(BitConverter.SingleToInt32Bits), inferred.Select(BitConverter.SingleToInt32Bits));
        var expectedGradient = new float[input.Length];
        for (var o = 0; o < positions.Length; o++)
        {
            expectedGradient[positions[o]] += outputGradient[o];
        }
        Assert.Equal(expectedGradient, inputGradient);
    }

    private static (float[] Values, int[] Positions) ScalarMaxPool(float[] input, TensorShape shape, TensorShape output, int batch, int window, int stride)
    {
        var values = new float[batch * output.Size];
        var positions = new int[values.Length];
        for (var b = 0; b < batch; b++)
        {
            for (var oy = 0; oy < output.Height; oy++)
            {
                for (var ox = 0; ox < output.Width; ox++)
                {
                    for (var c = 0; c < shape.Channels; c++)
                    {
                        var o = ((b * output.Height + oy) * output.Width + ox) * shape.Channels + c;
                        (values[o], positions[o]) = (float.NegativeInfinity, 0);
                        for (var ky = 0; ky < window; ky++)
                        {
                            for (var kx = 0; kx < window; kx++)
                            {
                                var i = b * shape.Size + ((oy * stride + ky) * shape.Width + ox * stride + kx) * shape.Channels + c;
                                if (input[i] > values[o])
                                {
                                    (values[o], positions[o]) = (input[i], i);
                                }
                            }
                        }
                    }
                }
            }
        }
        return (values, positions);
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
