using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using Distributed.Grains.Interfaces.Serving;
using Distributed.Grains.Jobs;
using Distributed.Grains.Storage;
using Distributed.Ml.Data;
using static Distributed.Grains.Tests.Apis.ApiTestData;

namespace Distributed.Grains.Tests.Apis;

/// <summary>The predictor API as the Silo serves it: every endpoint, predictions equal to the CLI's.</summary>
public sealed class PredictorApiTests : IDisposable
{
    private readonly TrainedModels _models = TrainedModels.Instance;
    private readonly SiloFactory _silo = new(TrainedModels.Instance.First);
    private readonly TempDirectory _temp = new();

    public void Dispose()
    {
        _silo.Dispose();
        _temp.Dispose();
    }

    public static TheoryData<string> Layouts() => ["uint8 (N,1,28,28)", "uint8 (N,28,28)", "uint8 (N,784)", "float32 0..255", "float32 0..1", "float64 0..1"];

    [Theory]
    [MemberData(nameof(Layouts))]
    public async Task NpyPredictionsEqualThePredictCommand(string layout)
    {
        var client = await _silo.ServingClientAsync();
        var n = _models.ImageCount;
        var pixels = _models.Pixels;
        var body = layout switch
        {
            "uint8 (N,1,28,28)" => Npy(pixels, n, 1, 28, 28),
            "uint8 (N,28,28)" => Npy(pixels, n, 28, 28),
            "uint8 (N,784)" => Npy(pixels, n, 784),
            "float32 0..255" => Npy([.. pixels.Select(p => (float)p)], n, 784),
            "float32 0..1" => Npy([.. pixels.Select(p => p / 255f)], n, 1, 28, 28),
            _ => NpyFloat64(pixels.Select(p => (double)(p / 255f)), n, 784),
        };
        using var response = await client.PostAsync(new Uri("/v1/predict", UriKind.Relative), NpyContent(body));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertEqualsPredictCommand(await response.Content.ReadFromJsonAsync<PredictResponse>());
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task JsonPredictionsEqualThePredictCommand(bool scaled)
    {
        var client = await _silo.ServingClientAsync();
        var images = Enumerable.Range(0, _models.ImageCount).Select(i => Values(scaled ? [.. _models.Image(i).Select(v => v / 255f)] : _models.Image(i)));
        using var response = await client.PostAsync(new Uri("/v1/predict", UriKind.Relative), JsonContent(JsonImages(images)));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        AssertEqualsPredictCommand(await response.Content.ReadFromJsonAsync<PredictResponse>());
    }

    [Fact]
    public async Task ResponseUsesSnakeCaseNames()
    {
        var client = await _silo.ServingClientAsync();
        using var response = await client.PostAsync(new Uri("/v1/predict", UriKind.Relative), NpyContent(Npy(_models.Pixels.AsSpan(0, 784), 1, 784)));
        using var document = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.Equal(["model_version", "clusters", "probabilities", "cluster_ids", "novelty"], document.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(3, document.RootElement.GetProperty("probabilities")[0].GetArrayLength());
    }

    [Fact]
    public async Task ModelEndpointDescribesTheBundleAndItsTrainingMetrics()
    {
        var client = await _silo.ServingClientAsync();
        var manifest = ModelBundle.Load(_models.First).Manifest;
        var info = await client.GetFromJsonAsync<ModelInfo>(new Uri("/v1/model", UriKind.Relative));
        Assert.NotNull(info);
        Assert.Equal(manifest.ModelVersion, info.ModelVersion);
        Assert.Equal(manifest.CreatedUtc, info.CreatedUtc);
        Assert.Equal(manifest.ClusterSizes, info.ClusterSizes);
        Assert.Equal([0, 1, 2], info.ClusterIds);
        Assert.Equal([1, 28, 28], info.InputShape);
        Assert.Equal(3, info.Options.GetProperty("clusters").GetInt32());
        Assert.Equal("pca", info.Options.GetProperty("features").GetString());
        Assert.Equal(manifest.Stages.Select(s => s.Name), info.Stages.Select(s => s.Name));
        Assert.NotNull(info.Metrics);
        Assert.Equal(180, info.Metrics.Value.GetProperty("n_images").GetInt32());
        Assert.Equal(manifest.ModelVersion, info.Metrics.Value.GetProperty("model_version").GetString());
    }

    [Fact]
    public async Task MetricsOfAnotherRunAreNotReported()
    {
        var model = Path.Combine(_temp.Path, "model");
        CopyDirectory(_models.First, model);
        File.Copy(Path.Combine(_models.Directory, "second", JobOutputs.Metrics), Path.Combine(_temp.Path, JobOutputs.Metrics));
        using var silo = new SiloFactory(model);
        var client = await silo.ServingClientAsync();
        var info = await client.GetFromJsonAsync<ModelInfo>(new Uri("/v1/model", UriKind.Relative));
        Assert.Null(info!.Metrics);
    }

    [Fact]
    public async Task HealthIsOkOnceLoadedAndAliveAlways()
    {
        var client = await _silo.ServingClientAsync();
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/health/startup", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/alive", UriKind.Relative))).StatusCode);
    }

    [Fact]
    public async Task WithoutAUsableModelHealthIs503AndPredictSaysSo()
    {
        using var silo = new SiloFactory(Path.Combine(_temp.Path, "missing"));
        var client = silo.CreateClient();
        // Startup passes once the (failed) first load has finished, so a pod is not restarted for it;
        // readiness stays 503 because nothing is served.
        await SiloFactory.WaitUntilOkAsync(client, "/health/startup");
        Assert.Equal(HttpStatusCode.ServiceUnavailable, (await client.GetAsync(new Uri("/health/ready", UriKind.Relative))).StatusCode);
        Assert.Equal(HttpStatusCode.OK, (await client.GetAsync(new Uri("/alive", UriKind.Relative))).StatusCode);
        using var predict = await client.PostAsync(new Uri("/v1/predict", UriKind.Relative), NpyContent(Npy(new byte[784], 1, 784)));
        await AssertProblemAsync(predict, HttpStatusCode.ServiceUnavailable, "no model is loaded");
        using var model = await client.GetAsync(new Uri("/v1/model", UriKind.Relative));
        await AssertProblemAsync(model, HttpStatusCode.ServiceUnavailable, "no model is loaded");
    }

    [Fact]
    public async Task OpenApiDocumentListsTheEndpoints()
    {
        var client = await _silo.ServingClientAsync();
        using var document = JsonDocument.Parse(await client.GetStringAsync(new Uri("/openapi/v1.json", UriKind.Relative)));
        var paths = document.RootElement.GetProperty("paths").EnumerateObject().Select(p => p.Name).ToList();
        Assert.Contains("/v1/predict", paths);
        Assert.Contains("/v1/model", paths);
        Assert.Contains("/v1/model/reload", paths);
        var content = document.RootElement.GetProperty("paths").GetProperty("/v1/predict").GetProperty("post").GetProperty("requestBody").GetProperty("content");
        Assert.True(content.TryGetProperty("application/x-npy", out _));
        Assert.True(content.TryGetProperty("application/json", out _));
    }

    [Fact]
    public async Task ReloadPicksUpANewBundleInTheSameDirectory()
    {
        var model = Path.Combine(_temp.Path, "model");
        CopyDirectory(_models.First, model);
        using var silo = new SiloFactory(model);
        var client = await silo.ServingClientAsync();
        var before = await client.GetFromJsonAsync<ModelInfo>(new Uri("/v1/model", UriKind.Relative));

        var replacement = Path.Combine(_temp.Path, "replacement");
        CopyDirectory(_models.Second, replacement);
        AtomicFile.MoveDirectoryIntoPlace(replacement, model);
        using var reload = await client.PostAsync(new Uri("/v1/model/reload", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        var after = await reload.Content.ReadFromJsonAsync<ModelInfo>();
        Assert.NotEqual(before!.ModelVersion, after!.ModelVersion);
        Assert.Equal(ModelBundle.Load(_models.Second).Manifest.ModelVersion, after.ModelVersion);

        File.WriteAllText(Path.Combine(model, "classifier.random-forest.bin"), "corrupted");
        using var refused = await client.PostAsync(new Uri("/v1/model/reload", UriKind.Relative), null);
        await AssertProblemAsync(refused, HttpStatusCode.Conflict, $"still serving model {after.ModelVersion}");
        var current = await client.GetFromJsonAsync<ModelInfo>(new Uri("/v1/model", UriKind.Relative));
        Assert.Equal(after.ModelVersion, current!.ModelVersion);
    }

    internal static async Task<PredictorProblem> AssertProblemAsync(HttpResponseMessage response, HttpStatusCode status, string detail)
    {
        var body = await response.Content.ReadAsStringAsync();
        Assert.True(response.StatusCode == status, $"expected {(int)status}, got {(int)response.StatusCode}: {body}");
        Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
        var problem = JsonSerializer.Deserialize<PredictorProblem>(body)!;
        Assert.Equal((int)status, problem.Status);
        Assert.False(string.IsNullOrEmpty(problem.Title));
        Assert.True(problem.Detail?.Contains(detail, StringComparison.Ordinal) == true, $"detail '{problem.Detail}' lacks '{detail}'");
        return problem;
    }

    internal static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
    }

    private void AssertEqualsPredictCommand(PredictResponse? response)
    {
        Assert.NotNull(response);
        var expected = PredictionJob.Run(_models.First, _models.Images, _temp.File("pred.npy"), _temp.File("proba.npy"));
        Assert.Equal(ModelBundle.Load(_models.First).Manifest.ModelVersion, response.ModelVersion);
        Assert.Equal(expected.Clusters, response.Clusters);
        Assert.Equal(expected.ClusterIds, response.ClusterIds);
        using (var file = File.OpenRead(_temp.File("pred.npy")))
        {
            Assert.Equal(LabelDecoder.Decode(NpyReader.Read(file)), response.Clusters);
        }
        Assert.Equal(expected.Probabilities.Rows, response.Probabilities.Length);
        for (var i = 0; i < response.Probabilities.Length; i++)
        {
            Assert.Equal(expected.Probabilities.Row(i).ToArray(), response.Probabilities[i]);
        }
        Assert.Equal(expected.Novelty, response.Novelty);
    }
}
