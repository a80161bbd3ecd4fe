using Distributed.Ml.Features;
using Distributed.Ml.Gpu;
using Distributed.Ml.Neural;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Gpu;

/// <summary>
/// The device fit and encoding against the CPU's, on a small dense autoencoder (20-16-12-3, mirrored):
/// N2D's 784-500-500-2000-10 takes seconds per product on the CPU accelerator. The kernels are the
/// same for any width (the SGEMM tests cover the edge sizes).
/// </summary>
[Collection(DeviceCollection.Name)]
public sealed class GpuAutoencoderTests(DeviceFixture fixture)
{
    private const int Width = 20;

    /// <summary>
    /// Epoch losses of the device fit against the CPU fit, relative. Both start from the same weights
    /// and see the same batches; the products sum in other orders (OpenBLAS or the managed kernel
    /// against the tiled kernel), which moves gradients by ~1e-7 relative, and Adam then follows
    /// slightly different paths (its first steps are ±lr whatever a gradient's size). Measured on the
    /// CPU accelerator: 1e-9 after the first epoch, 1e-8 after the third. 1e-5 leaves room for a GPU's
    /// fused multiply-adds and still fails on any wrong gradient, which moves the loss in its first digits.
    /// </summary>
    private const double LossTolerance = 1e-5;

    /// <summary>
    /// Features against the CPU model's, relative to the largest feature: float sums of at most 20
    /// products per layer in another order (measured: 1e-8).
    /// </summary>
    private const float FeatureTolerance = 1e-5f;

    private static readonly AutoencoderOptions s_options = new()
    {
        DenseHidden = [16, 12],
        EmbeddingSize = 3,
        Epochs = 3,
        BatchSize = 16,
        LearningRate = 0.01f,
        Patience = 3,
        Seed = 7,
    };

    [Fact]
    public void LossCurveAndFeaturesMatchTheCpuFit()
    {
        var rows = Rows(48, seed: 1);
        var cpu = Autoencoder.Fit(rows, s_options);
        var device = GpuAutoencoder.Fit(fixture.Device, rows, s_options);

        Assert.Equal(s_options.Epochs, device.TrainingLoss.Length);
        Assert.True(device.TrainingLoss[^1] < device.TrainingLoss[0], $"the device fit did not learn: {string.Join(", ", device.TrainingLoss)}");
        for (var epoch = 0; epoch < cpu.TrainingLoss.Length; epoch++)
        {
            var relative = Math.Abs(cpu.TrainingLoss[epoch] - device.TrainingLoss[epoch]) / cpu.TrainingLoss[epoch];
            Assert.True(relative <= LossTolerance, $"epoch {epoch + 1}: CPU loss {cpu.TrainingLoss[epoch]}, device {device.TrainingLoss[epoch]}");
        }
        // The device's model is an ordinary one: the CPU encodes with it, and so does the device.
        AssertClose(cpu.Transform(rows), device.Transform(rows));
        AssertClose(device.Transform(rows), GpuAutoencoder.Encode(fixture.Device, device, rows));
    }

    [Fact]
    public void SameSeedTrainsTheSameBitsOnTheDevice()
    {
        var rows = Rows(32, seed: 2);
        var options = s_options with { Epochs = 1 };
        Assert.Equal(Bytes(GpuAutoencoder.Fit(fixture.Device, rows, options)), Bytes(GpuAutoencoder.Fit(fixture.Device, rows, options)));
    }

    [Fact]
    public void EncodingMatchesTheCpuModelAndNotTheBlocks()
    {
        var rows = Rows(50, seed: 3);
        var model = Autoencoder.Fit(rows, s_options);
        Assert.True(GpuAutoencoder.CanEncode(model));
        var whole = GpuAutoencoder.Encode(fixture.Device, model, rows);
        AssertClose(model.Transform(rows), whole);
        // Blocks of 7 rows, and a single row: the same bits as all 50 at once.
        Assert.Equal(whole.Data, GpuAutoencoder.Encode(fixture.Device, model, rows, blockRows: 7).Data);
        Assert.Equal(whole.Row(33).ToArray(), GpuAutoencoder.Encode(fixture.Device, model, rows.SelectRows([33])).Data);
    }

    [Fact]
    public void RefusesWhatTheDeviceDoesNotRun()
    {
        Assert.True(GpuAutoencoder.CanTrain(new AutoencoderOptions()));
        var convolutional = new AutoencoderOptions { Architecture = AutoencoderArchitecture.Convolutional, Epochs = 1, BatchSize = 4 };
        var crossEntropy = s_options with { Loss = LossFunction.BinaryCrossEntropy };
        Assert.False(GpuAutoencoder.CanTrain(convolutional));
        Assert.False(GpuAutoencoder.CanTrain(crossEntropy));
        Assert.Throws<NotSupportedException>(() => GpuAutoencoder.Fit(fixture.Device, Rows(8, seed: 4), crossEntropy));
        var images = new Matrix(4, 784);
        var convolutionalModel = Autoencoder.Fit(images, convolutional);
        Assert.False(GpuAutoencoder.CanEncode(convolutionalModel));
        Assert.Throws<NotSupportedException>(() => GpuAutoencoder.Encode(fixture.Device, convolutionalModel, images));
    }

    /// <summary>Rows near one of three prototypes, values in [0, 1].</summary>
    private static Matrix Rows(int count, ulong seed)
    {
        var rng = new Rng(seed);
        var rows = new Matrix(count, Width);
        for (var i = 0; i < count; i++)
        {
            for (var j = 0; j < Width; j++)
            {
                var on = j % 3 == i % 3;
                rows.Row(i)[j] = Math.Clamp((on ? 0.8f : 0.1f) + (rng.NextSingle() - 0.5f) * 0.2f, 0f, 1f);
            }
        }
        return rows;
    }

    private static byte[] Bytes(AutoencoderModel model)
    {
        using var stream = new MemoryStream();
        model.Save(stream);
        return stream.ToArray();
    }

    private static void AssertClose(Matrix expected, Matrix actual)
    {
        Assert.Equal(expected.Rows, actual.Rows);
        Assert.Equal(expected.Cols, actual.Cols);
        var scale = expected.Data.Max(Math.Abs);
        for (var i = 0; i < expected.Data.Length; i++)
        {
            Assert.True(Math.Abs(expected.Data[i] - actual.Data[i]) <= FeatureTolerance * scale, $"feature {i}: expected {expected.Data[i]}, got {actual.Data[i]} (scale {scale})");
        }
    }
}
