using System.Net;
using Distributed.Grains.Storage;
using Distributed.Grains.Tests;
using Distributed.Ml.Data;
using Distributed.Ml.Numerics;

namespace Distributed.Predictor.Client.Tests;

/// <summary>The typed client against the Silo's predictor API in a test server.</summary>
public sealed class PredictorClientTests : IDisposable
{
    private readonly TrainedModels _models = TrainedModels.Instance;
    private readonly SiloFactory _silo = new(TrainedModels.Instance.First);

    public void Dispose() => _silo.Dispose();

    [Fact]
    public async Task PredictsJsonAndNpyLikeTheModelItself()
    {
        var client = new PredictorClient(await _silo.ServingClientAsync());
        var indices = new[] { 0, 1, 2, 100, 179 };
        var expected = ModelBundle.Load(_models.First).Model.Predict(
            new Matrix(indices.Length, 784, [.. indices.SelectMany(i => _models.Image(i).Select(v => v / 255f))]));

        var fromJson = await client.PredictAsync([.. indices.Select(_models.Image)]);
        using var npy = new MemoryStream();
        NpyWriter.Write(npy, [.. indices.SelectMany(i => _models.Pixels.AsSpan(i * 784, 784).ToArray())], indices.Length, 28, 28);
        var fromNpy = await client.PredictAsync(npy.ToArray());

        foreach (var response in new[] { fromJson, fromNpy })
        {
            Assert.Equal(expected.Clusters, response.Clusters);
            Assert.Equal(expected.ClusterIds, response.ClusterIds);
            Assert.Equal(expected.Probabilities.Data, response.Probabilities.SelectMany(p => p));
            Assert.Equal(expected.Novelty, response.Novelty);
        }
        Assert.Equal(fromJson.ModelVersion, (await client.GetModelAsync()).ModelVersion);
    }

    [Fact]
    public async Task ModelInfoAndHealth()
    {
        var client = new PredictorClient(await _silo.ServingClientAsync());
        Assert.True(await client.IsHealthyAsync());
        var info = await client.GetModelAsync();
        Assert.Equal(ModelBundle.Load(_models.First).Manifest.ModelVersion, info.ModelVersion);
        Assert.Equal(3, info.ClusterSizes.Length);
        Assert.Equal(3, info.Options.GetProperty("clusters").GetInt32());
        Assert.NotNull(info.Metrics);
        Assert.Equal(info.ModelVersion, (await client.ReloadModelAsync()).ModelVersion);
    }

    [Fact]
    public async Task ClientErrorsCarryTheProblemDetails()
    {
        var client = new PredictorClient(await _silo.ServingClientAsync());
        var shortImage = await Assert.ThrowsAsync<PredictorApiException>(() => client.PredictAsync([new float[783]]));
        Assert.Equal(HttpStatusCode.BadRequest, shortImage.StatusCode);
        Assert.True(shortImage.IsClientError);
        Assert.Equal(400, shortImage.Problem.Status);
        Assert.Equal("Invalid images", shortImage.Problem.Title);
        Assert.Contains("image 0 has 783 values, expected 784", shortImage.Problem.Detail);
        Assert.Contains("image 0 has 783 values", shortImage.Message);

        var notNpy = await Assert.ThrowsAsync<PredictorApiException>(() => client.PredictAsync(new byte[] { 1, 2, 3 }.AsMemory()));
        Assert.Equal(HttpStatusCode.BadRequest, notNpy.StatusCode);
        Assert.Contains("not a .npy file", notNpy.Problem.Detail);

        var outOfRange = await Assert.ThrowsAsync<PredictorApiException>(() => client.PredictAsync([Enumerable.Repeat(300f, 784).ToArray()]));
        Assert.Contains("outside the valid range", outOfRange.Problem.Detail);
    }

    [Fact]
    public async Task WithoutAModelHealthIsFalseAndPredictionsThrow503()
    {
        using var temp = new TempDirectory();
        using var silo = new SiloFactory(temp.File("missing"));
        var client = new PredictorClient(silo.CreateClient());
        Assert.False(await client.IsHealthyAsync());
        var error = await Assert.ThrowsAsync<PredictorApiException>(() => client.PredictAsync([new float[784]]));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.False(error.IsClientError);
        Assert.Contains("no model is loaded", error.Problem.Detail);
    }
}
