using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Storage;
using Distributed.Ml.Features;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Tests.Cluster.Grains;

/// <summary>The feature extractor grain's shard encoding, on a silo composed as production composes it.</summary>
public sealed class FeatureExtractorGrainTests
{
    [Fact]
    public async Task AShardEncodedBlockByBlockIsTheWholeShardsEncodingToTheBit()
    {
        using var temp = new TempDirectory();
        var store = new ShardStore(temp.File("store"), StoreDurability.Unsynced);
        // 5,000 images: two whole blocks and a short one; stored as the input's bytes, as the ingest stores them.
        var (imagesPath, _) = SyntheticImages.Write(temp.Path, perClass: 500, classes: 10);
        var pixels = ArrayFiles.LoadImagePixels(imagesPath);
        Assert.NotNull(pixels.Bytes);
        store.WriteImages("shards/00000.npy", pixels, 0, pixels.Count);
        var images = store.ReadMatrix("shards/00000.npy");
        var training = images.SelectRows([.. Enumerable.Range(0, 300)]);
        IFittedTransform[] models =
        [
            Pca.Fit(images, new PcaOptions { Components = 20 }),
            Autoencoder.Fit(training, new AutoencoderOptions { Epochs = 1, Seed = 3 }),
            Autoencoder.Fit(training, new AutoencoderOptions { Architecture = AutoencoderArchitecture.Convolutional, Epochs = 1, Seed = 3 }),
        ];

        await using var silos = await TestSilos.StartAsync(store.Root, "coordinator,gpu,cpu");
        for (var m = 0; m < models.Length; m++)
        {
            var modelRef = ModelRefs.Of("models", $"features-{m}", PipelineModel.KindOf(models[m]));
            store.Write(modelRef, models[m].Save);
            var outputRef = $"features/{m}.npy";
            await silos.Grains.GetGrain<IFeatureExtractorGrain>($"job/{m}").EncodeShard(new EncodeShard("shards/00000.npy", modelRef, outputRef));

            var expected = models[m].Transform(images);
            var encoded = store.ReadMatrix(outputRef);
            Assert.Equal((expected.Rows, expected.Cols), (encoded.Rows, encoded.Cols));
            Assert.True(expected.Data.AsSpan().SequenceEqual(encoded.Data), $"{models[m].GetType().Name}: the encoded shard differs from the whole shard's transform");
        }
    }
}
