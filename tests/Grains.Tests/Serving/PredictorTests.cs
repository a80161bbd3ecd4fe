using Distributed.Grains.Jobs;
using Distributed.Grains.Serving;
using Distributed.Grains.Storage;
using Distributed.Ml.Numerics;

namespace Distributed.Grains.Tests.Serving;

public class PredictorTests
{
    private readonly TrainedModels _models = TrainedModels.Instance;

    [Fact]
    public void PredictWithoutAModelIsRefused()
    {
        var predictor = new Predictor();
        Assert.Null(predictor.Current);
        Assert.Throws<InvalidOperationException>(() => predictor.Predict(new Matrix(1, 784)));
    }

    [Fact]
    public void ChunkedBatchEqualsOneCallOfTheModel()
    {
        var predictor = new Predictor();
        var loaded = predictor.Swap(_models.First);
        var rows = Predictor.ChunkRows * 2 + 17;
        var images = new Matrix(rows, 784, [.. Enumerable.Range(0, rows).SelectMany(i => _models.Image(i % _models.ImageCount).Select(v => v / 255f))]);
        var (model, chunked) = predictor.Predict(images);
        var whole = loaded.Model.Predict(images);
        Assert.Same(loaded, model);
        Assert.Equal(whole.Clusters, chunked.Clusters);
        Assert.Equal(whole.Probabilities.Data, chunked.Probabilities.Data);
        Assert.Equal(whole.Novelty, chunked.Novelty);
        Assert.Equal(whole.ClusterIds, chunked.ClusterIds);
    }

    [Theory]
    [InlineData(1)]
    [InlineData(Predictor.SequentialRows)]
    [InlineData(Predictor.SequentialRows + 1)]
    public void SmallBatchesEqualTheModelsOwnPrediction(int rows)
    {
        var predictor = new Predictor();
        var loaded = predictor.Swap(_models.First);
        var images = new Matrix(rows, 784, [.. Enumerable.Range(0, rows).SelectMany(i => _models.Image(i * 11 % _models.ImageCount).Select(v => v / 255f))]);
        var (_, served) = predictor.Predict(images);
        var reference = loaded.Model.Predict(images);
        Assert.Equal(reference.Clusters, served.Clusters);
        Assert.Equal(reference.Probabilities.Data, served.Probabilities.Data);
        Assert.Equal(reference.ClusterIds, served.ClusterIds);
        Assert.Equal(reference.Novelty, served.Novelty);
    }

    public static TheoryData<string> ServedPipelines => new() { "pca-kmeans", "autoencoder-umap-gmm" };

    [Theory]
    [MemberData(nameof(ServedPipelines))]
    public async Task ConcurrentSmallRequestsAreBatchedYetAnsweredAsIfAlone(string pipeline)
    {
        var path = pipeline == "pca-kmeans" ? _models.First : s_autoencoderModel.Value;
        var predictor = new Predictor();
        var loaded = predictor.Swap(path);
        var requests = Enumerable.Range(0, 96).Select(i =>
        {
            var rows = 1 + i % 3;
            return new Matrix(rows, 784, [.. Enumerable.Range(i, rows).SelectMany(r => _models.Image(r * 7 % _models.ImageCount).Select(v => v / 255f))]);
        }).ToList();
        var served = await Task.WhenAll(requests.Select(r => Task.Run(() => predictor.PredictAsync(r))));
        for (var i = 0; i < requests.Count; i++)
        {
            var alone = Predictor.PredictSequentially(loaded.Model, requests[i]);
            Assert.Same(loaded, served[i].Model);
            Assert.Equal(alone.Clusters, served[i].Prediction.Clusters);
            Assert.Equal(alone.Probabilities.Data, served[i].Prediction.Probabilities.Data);
            Assert.Equal(alone.Novelty, served[i].Prediction.Novelty);
        }
    }

    /// <summary>The default pipeline's stages (dense autoencoder, UMAP, GMM), trained briefly on the synthetic images.</summary>
    private static readonly Lazy<string> s_autoencoderModel = new(() =>
    {
        var models = TrainedModels.Instance;
        var output = Path.Combine(models.Directory, "autoencoder");
        var options = new Ml.Pipeline.PipelineOptions
        {
            Clusters = 3,
            ForestTrees = 10,
            Autoencoder = new Ml.Features.AutoencoderOptions { Epochs = 2 },
            Umap = new Ml.Pipeline.PipelineOptions().Umap with { Neighbors = 10 },
        };
        LabellingJob.Run(new LabellingJobRequest(models.Images, output, options));
        return Path.Combine(output, JobOutputs.Model);
    }, LazyThreadSafetyMode.ExecutionAndPublication);

    [Fact]
    public void CancelledPredictionStops()
    {
        var predictor = new Predictor();
        predictor.Swap(_models.First);
        using var cancelled = new CancellationTokenSource();
        cancelled.Cancel();
        Assert.ThrowsAny<OperationCanceledException>(() => predictor.Predict(new Matrix(Predictor.ChunkRows * 3, 784), cancelled.Token));
    }

    [Fact]
    public void FailedSwapKeepsTheCurrentModel()
    {
        var predictor = new Predictor();
        var first = predictor.Swap(_models.First);
        var changes = new List<string>();
        predictor.ModelChanged += model => changes.Add(model.Version);
        Assert.Throws<ModelBundleException>(() => predictor.Swap(Path.Combine(_models.Directory, "missing")));
        Assert.Same(first, predictor.Current);
        Assert.Empty(changes);
        var second = predictor.Swap(_models.Second);
        Assert.Equal([second.Version], changes);
        Assert.NotEqual(first.Version, second.Version);
    }
}
