using Distributed.Ml.Clustering;
using Distributed.Ml.Features;
using Distributed.Ml.Metrics;
using Distributed.Ml.Neural;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Features;

public class AutoencoderTests
{
    [Theory]
    [InlineData(AutoencoderArchitecture.Dense, LossFunction.MeanSquaredError)]
    [InlineData(AutoencoderArchitecture.Convolutional, LossFunction.BinaryCrossEntropy)]
    public void TrainingReducesTheLossAndTheEmbeddingSeparatesThePrototypes(AutoencoderArchitecture architecture, LossFunction loss)
    {
        var (images, prototypes) = PrototypeImages(perPrototype: 40, seed: 5);
        var model = Autoencoder.Fit(images, new AutoencoderOptions
        {
            Architecture = architecture,
            Loss = loss,
            Epochs = 15,
            BatchSize = 16,
            EmbeddingSize = 4,
            Patience = 15,
            Seed = 3,
        });

        Assert.Equal(15, model.TrainingLoss.Length);
        Assert.True(model.TrainingLoss[^1] < 0.5 * model.TrainingLoss[0], $"loss went from {model.TrainingLoss[0]} to {model.TrainingLoss[^1]}");
        var features = model.Transform(images);
        Assert.Equal(4, features.Cols);
        var clusters = KMeans.Fit(features, new KMeansOptions { Clusters = 3, Seed = 1 }).Labels;
        Assert.Equal(1.0, AdjustedRandIndex.Score(prototypes, clusters), 6);
    }

    [Fact]
    public void SameSeedGivesIdenticalModelBytes()
    {
        var (images, _) = PrototypeImages(perPrototype: 10, seed: 1);
        var options = new AutoencoderOptions { Architecture = AutoencoderArchitecture.Convolutional, Epochs = 2, BatchSize = 8, Seed = 9 };
        Assert.Equal(Bytes(Autoencoder.Fit(images, options)), Bytes(Autoencoder.Fit(images, options)));
        Assert.NotEqual(Bytes(Autoencoder.Fit(images, options)), Bytes(Autoencoder.Fit(images, options with { Seed = 10 })));
    }

    [Fact]
    public void ACancelledTrainingStopsWithinTheEpochItWasCancelledIn()
    {
        var (images, _) = PrototypeImages(perPrototype: 5, seed: 2);
        using var cancel = new CancellationTokenSource();
        var epochs = 0;
        Assert.Throws<OperationCanceledException>(() => Autoencoder.Fit(images, new AutoencoderOptions { Epochs = 10, BatchSize = 5, MinRelativeImprovement = 0 },
            _ => { epochs++; cancel.Cancel(); }, cancel.Token));
        Assert.Equal(1, epochs);
    }

    [Fact]
    public void StopsWhenTheLossPlateaus()
    {
        var (images, _) = PrototypeImages(perPrototype: 5, seed: 2);
        // Demanding a 90% improvement per epoch: the second epoch cannot deliver it.
        var model = Autoencoder.Fit(images, new AutoencoderOptions { Epochs = 10, BatchSize = 5, Patience = 1, MinRelativeImprovement = 0.9 });
        Assert.True(model.StoppedEarly);
        Assert.Equal(2, model.TrainingLoss.Length);
    }

    [Fact]
    public void SavedModelTransformsAndReconstructsIdentically()
    {
        var (images, _) = PrototypeImages(perPrototype: 6, seed: 4);
        var model = Autoencoder.Fit(images, new AutoencoderOptions { Epochs = 2, BatchSize = 6, Loss = LossFunction.BinaryCrossEntropy });
        using var stream = new MemoryStream(Bytes(model));
        var loaded = AutoencoderModel.Load(stream);
        Assert.Equal(model.Transform(images).Data, loaded.Transform(images).Data);
        Assert.Equal(model.TrainingLoss, loaded.TrainingLoss);
        var reconstruction = loaded.Reconstruct(images);
        Assert.All(reconstruction.Data, v => Assert.InRange(v, 0f, 1f));
    }

    // Only the dense network: the convolutional one still differs in the last bits with the
    // other images of its block (an open issue, see the README's known limitations).
    [Theory]
    [InlineData(AutoencoderArchitecture.Dense)]
    public void FeaturesOfARowDoNotDependOnItsBatch(AutoencoderArchitecture architecture)
    {
        var (images, _) = PrototypeImages(perPrototype: 15, seed: 6);
        var model = Autoencoder.Fit(images, new AutoencoderOptions { Architecture = architecture, Epochs = 1, BatchSize = 9 });
        var whole = model.Transform(images);
        for (var i = 0; i < images.Rows; i += 7)
        {
            Assert.Equal(whole.Row(i).ToArray(), model.Transform(images.SelectRows([i])).Data);
        }
        var tail = model.Transform(images.SelectRows([.. Enumerable.Range(13, 20)]));
        Assert.Equal(whole.RowBlock(13, 20).ToArray(), tail.Data);
    }

    [Fact]
    public void InvalidInputIsRejected()
    {
        var notAnImage = new Matrix(4, 100);
        Assert.Throws<ArgumentException>(() => Autoencoder.Fit(notAnImage, new AutoencoderOptions { Architecture = AutoencoderArchitecture.Convolutional }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Autoencoder.Fit(notAnImage, new AutoencoderOptions { Epochs = 0 }));
        Assert.Throws<ArgumentOutOfRangeException>(() => Autoencoder.Fit(notAnImage, new AutoencoderOptions { LearningRate = -1f }));
        var model = Autoencoder.Fit(notAnImage, new AutoencoderOptions { Epochs = 1 });
        Assert.Throws<ArgumentException>(() => model.Transform(new Matrix(1, 99)));
    }

    private static byte[] Bytes(AutoencoderModel model)
    {
        using var stream = new MemoryStream();
        model.Save(stream);
        return stream.ToArray();
    }

    /// <summary>28×28 images: three bar/blob prototypes with pixel noise, values in [0, 1].</summary>
    private static (Matrix Images, int[] Prototypes) PrototypeImages(int perPrototype, ulong seed)
    {
        var rng = new Rng(seed);
        var images = new Matrix(3 * perPrototype, 784);
        var prototypes = new int[images.Rows];
        for (var i = 0; i < images.Rows; i++)
        {
            var kind = i % 3;
            prototypes[i] = kind;
            var row = images.Row(i);
            for (var y = 0; y < 28; y++)
            {
                for (var x = 0; x < 28; x++)
                {
                    var on = kind switch
                    {
                        0 => x is >= 12 and < 16,
                        1 => y is >= 12 and < 16,
                        _ => (x - 14) * (x - 14) + (y - 14) * (y - 14) < 36,
                    };
                    row[y * 28 + x] = Math.Clamp((on ? 0.9f : 0.05f) + 0.1f * (rng.NextSingle() - 0.5f), 0f, 1f);
                }
            }
        }
        return (images, prototypes);
    }
}
