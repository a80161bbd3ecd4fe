using System.Net;
using System.Net.Http.Headers;
using System.Net.Http.Json;
using System.Text.Json;
using Distributed.Grains.Interfaces.Serving;
using Distributed.Grains.Jobs;
using Distributed.Grains.Storage;
using Distributed.Ml.Data;
using MessagePack;
using static Distributed.Grains.Tests.Apis.ApiTestData;

namespace Distributed.Grains.Tests.Apis;

/// <summary>The predictor API as the Silo serves it: every endpoint, predictions equal to the CLI's.</summary>
public sealed class PredictorApiTests : IDisposable
{
    private static readonly Uri s_predict = new("/v1/predict", UriKind.Relative);
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
        Assert.Equal(["model_version", "clusters", "probabilities", "cluster_ids", "novelty", "labels", "label_names", "label_probabilities"], document.RootElement.EnumerateObject().Select(p => p.Name));
        Assert.Equal(3, document.RootElement.GetProperty("probabilities")[0].GetArrayLength());
    }

    public static TheoryData<string, int> DTypesAndCounts() => new() { { "uint8", 1 }, { "uint8", 64 }, { "float32", 1 }, { "float32", 64 } };

    [Theory]
    [MemberData(nameof(DTypesAndCounts))]
    public async Task SameImagesGetTheSameAnswerAsJsonNpyAndMessagePack(string dtype, int count)
    {
        var client = await _silo.ServingClientAsync();
        var pixels = _models.Pixels.AsSpan(0, count * 784).ToArray();
        float[] scaled = [.. pixels.Select(p => p / 255f)];
        var uint8 = dtype == "uint8";
        var json = JsonImages(Enumerable.Range(0, count).Select(i => uint8
            ? pixels.Skip(i * 784).Take(784).Select(p => p.ToString(System.Globalization.CultureInfo.InvariantCulture))
            : Values(scaled[(i * 784)..((i + 1) * 784)])));
        var npy = uint8 ? Npy(pixels, count, 28, 28) : Npy(scaled, count, 784);
        var messagePack = uint8 ? MsgPack(pixels, count, 28, 28) : MsgPack(scaled, count, 784);

        using var fromJson = await client.PostAsync(s_predict, JsonContent(json));
        using var fromNpy = await client.PostAsync(s_predict, NpyContent(npy));
        using var fromMessagePack = await client.PostAsync(s_predict, MsgPackContent(messagePack));
        var expected = await fromJson.Content.ReadFromJsonAsync<PredictResponse>();
        Assert.NotNull(expected);
        Assert.Equal(count, expected.Clusters.Length);
        AssertSameAnswer(expected, await fromNpy.Content.ReadFromJsonAsync<PredictResponse>());
        AssertSameAnswer(expected, await ReadMessagePackAsync(fromMessagePack));
    }

    [Fact]
    public async Task MessagePackAnswerHasTheJsonKeysInOrderAndFloat32Probabilities()
    {
        var client = await _silo.ServingClientAsync();
        var body = Npy(_models.Pixels.AsSpan(0, 2 * 784), 2, 784);
        using var asJson = await client.PostAsync(s_predict, NpyContent(body));
        using var request = new HttpRequestMessage(HttpMethod.Post, s_predict) { Content = NpyContent(body) };
        request.Headers.Accept.ParseAdd("application/msgpack");
        using var asMessagePack = await client.SendAsync(request);
        Assert.Equal("application/msgpack", asMessagePack.Content.Headers.ContentType?.MediaType);
        var packed = await asMessagePack.Content.ReadAsByteArrayAsync();

        using var jsonDocument = JsonDocument.Parse(await asJson.Content.ReadAsStringAsync());
        var keys = new List<string>();
        var reader = new MessagePackReader(packed);
        var entries = reader.ReadMapHeader();
        for (var i = 0; i < entries; i++)
        {
            keys.Add(reader.ReadString()!);
            if (keys[^1] != "probabilities")
            {
                reader.Skip();
                continue;
            }
            Assert.Equal(2, reader.ReadArrayHeader());
            for (var row = 0; row < 2; row++)
            {
                Assert.Equal(3, reader.ReadArrayHeader());
                for (var column = 0; column < 3; column++)
                {
                    Assert.Equal(MessagePackCode.Float32, reader.NextCode);
                    reader.ReadSingle();
                }
            }
        }
        Assert.True(reader.End, "data after the answer's map");
        Assert.Equal(jsonDocument.RootElement.EnumerateObject().Select(p => p.Name), keys);
        AssertSameAnswer(JsonSerializer.Deserialize<PredictResponse>(jsonDocument)!, MessagePackSerializer.Deserialize<PredictResponse>(packed, PredictorMessagePack.Options));
    }

    public static TheoryData<string, string?, string> AcceptCases() => new()
    {
        { "json", null, "application/json" },
        { "npy", null, "application/json" },
        { "msgpack", null, "application/msgpack" },
        { "msgpack", "*/*", "application/msgpack" },
        { "msgpack", "text/html", "application/msgpack" },
        { "json", "*/*", "application/json" },
        { "json", "application/msgpack", "application/msgpack" },
        { "npy", "application/msgpack", "application/msgpack" },
        { "msgpack", "application/json", "application/json" },
        { "json", "application/json;q=0.5, application/msgpack", "application/msgpack" },
        { "msgpack", "application/msgpack;q=0.1, application/json", "application/json" },
        { "msgpack", "application/msgpack;q=0.1, */*", "application/json" },
        { "json", "application/*", "application/json" },
        { "msgpack", "application/*", "application/msgpack" },
    };

    [Theory]
    [MemberData(nameof(AcceptCases))]
    public async Task AnswerFormatFollowsAcceptThenTheRequestFormat(string requestFormat, string? accept, string answer)
    {
        var client = await _silo.ServingClientAsync();
        var pixels = _models.Pixels.AsSpan(0, 784);
        using var request = new HttpRequestMessage(HttpMethod.Post, s_predict)
        {
            Content = requestFormat switch
            {
                "json" => JsonContent(JsonImages([Values(_models.Image(0))])),
                "npy" => NpyContent(Npy(pixels, 1, 784)),
                _ => MsgPackContent(MsgPack(pixels, 1, 784)),
            },
        };
        if (accept is not null)
        {
            request.Headers.Accept.ParseAdd(accept);
        }
        using var response = await client.SendAsync(request);
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        Assert.Equal(answer, response.Content.Headers.ContentType?.MediaType);
        Assert.Contains("Accept", response.Headers.Vary);
    }

    [Fact]
    public async Task RefusalsStayProblemJsonWhenMessagePackIsAskedFor()
    {
        var client = await _silo.ServingClientAsync();
        using var request = new HttpRequestMessage(HttpMethod.Post, s_predict) { Content = MsgPackContent(MsgPack(new byte[783], 1, 783)) };
        request.Headers.Accept.Add(new MediaTypeWithQualityHeaderValue("application/msgpack"));
        using var response = await client.SendAsync(request);
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, "wrong image size: shape [1, 783]");
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
    public async Task WithoutAModelHealthIs503AndPredictSaysSo()
    {
        // A predictor silo of a cluster that has published no model yet.
        using var silo = new SiloFactory(null, new Dictionary<string, string> { ["Silo:Store"] = Path.Combine(_temp.Path, "store"), ["Silo:Roles"] = "predictor" });
        var client = silo.CreateClient();
        // Startup passes once the registry has answered, so a pod is not restarted for it;
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
        var messagePack = content.GetProperty("application/msgpack").GetProperty("schema");
        Assert.Equal(["shape", "dtype", "data"], messagePack.GetProperty("properties").EnumerateObject().Select(p => p.Name));
        var answers = document.RootElement.GetProperty("paths").GetProperty("/v1/predict").GetProperty("post").GetProperty("responses").GetProperty("200").GetProperty("content");
        Assert.Equal(["application/json", "application/msgpack"], answers.EnumerateObject().Select(p => p.Name).Order());
    }

    [Fact]
    public async Task ReloadServesTheRunDirectorysNewCurrentVersion()
    {
        var run = new RunDirectory(Path.Combine(_temp.Path, "run"), JobOutputs.All);
        PublishCopy(run, _models.First);
        using var silo = new SiloFactory(run.Root);
        var client = await silo.ServingClientAsync();
        var before = await client.GetFromJsonAsync<ModelInfo>(new Uri("/v1/model", UriKind.Relative));
        Assert.Equal(ModelBundle.Load(_models.First).Manifest.ModelVersion, before!.ModelVersion);

        // The same version again: answered from memory.
        using (var same = await client.PostAsync(new Uri("/v1/model/reload", UriKind.Relative), null))
        {
            Assert.Equal(HttpStatusCode.OK, same.StatusCode);
            Assert.Equal(before.ModelVersion, (await same.Content.ReadFromJsonAsync<ModelInfo>())!.ModelVersion);
        }

        PublishCopy(run, _models.Second);
        using var reload = await client.PostAsync(new Uri("/v1/model/reload", UriKind.Relative), null);
        Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        var after = await reload.Content.ReadFromJsonAsync<ModelInfo>();
        Assert.Equal(ModelBundle.Load(_models.Second).Manifest.ModelVersion, after!.ModelVersion);

        // A published version whose file is corrupted is refused; the served model stays.
        var corrupted = PublishCopy(run, _models.First, "corrupted");
        File.WriteAllText(Path.Combine(corrupted, JobOutputs.Model, "classifier.random-forest.bin"), "corrupted");
        using var refused = await client.PostAsync(new Uri("/v1/model/reload", UriKind.Relative), null);
        await AssertProblemAsync(refused, HttpStatusCode.Conflict, $"still serving model {after.ModelVersion}");
        var current = await client.GetFromJsonAsync<ModelInfo>(new Uri("/v1/model", UriKind.Relative));
        Assert.Equal(after.ModelVersion, current!.ModelVersion);
    }

    [Fact]
    public async Task AReloadWhileAnotherRunsIs409()
    {
        // A plain bundle directory is read again by every reload. Its manifest becomes a named pipe,
        // so the first reload waits on it, inside the load, until the test writes the manifest.
        var model = Path.Combine(_temp.Path, "model");
        CopyDirectory(_models.Second, model);
        using var silo = new SiloFactory(model);
        var client = await silo.ServingClientAsync();
        var manifestPath = Path.Combine(model, ModelBundle.ManifestFile);
        var manifest = File.ReadAllBytes(manifestPath);
        File.Delete(manifestPath);
        using (var mkfifo = System.Diagnostics.Process.Start("mkfifo", [manifestPath]))
        {
            await mkfifo.WaitForExitAsync();
            Assert.Equal(0, mkfifo.ExitCode);
        }

        // Two reloads at once: the one that takes the gate waits on the pipe, the other is refused.
        var reloads = new[]
        {
            client.PostAsync(new Uri("/v1/model/reload", UriKind.Relative), null),
            client.PostAsync(new Uri("/v1/model/reload", UriKind.Relative), null),
        };
        var written = false;
        try
        {
            var refused = await Task.WhenAny(reloads).WaitAsync(TimeSpan.FromSeconds(30));
            using (var answer = await refused)
            {
                await AssertProblemAsync(answer, HttpStatusCode.Conflict, "another reload is running");
            }
            var waiting = reloads.Single(r => r != refused);
            Assert.False(waiting.IsCompleted);
            await File.WriteAllBytesAsync(manifestPath, manifest);
            written = true;
            using var loaded = await waiting.WaitAsync(TimeSpan.FromSeconds(30));
            Assert.Equal(HttpStatusCode.OK, loaded.StatusCode);
        }
        finally
        {
            if (!written && reloads.Any(r => !r.IsCompleted))
            {
                // A failed assertion must not leave the waiting reload's thread blocked on the pipe.
                await File.WriteAllBytesAsync(manifestPath, manifest);
            }
        }
    }

    /// <summary>Publishes a copy of <paramref name="bundle"/> as the run directory's new version (named after its model version, or <paramref name="version"/>).</summary>
    internal static string PublishCopy(RunDirectory run, string bundle, string? version = null) =>
        run.Publish(staging =>
        {
            CopyDirectory(bundle, Path.Combine(staging, JobOutputs.Model));
            return version ?? ModelBundle.Load(bundle).Manifest.ModelVersion;
        }, RunDirectory.DefaultKeepVersions);

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

    [Fact]
    public async Task ANamedVersionReloadedAnswersWithLabelsAndAddsTheProbabilitiesOfClustersThatShareAName()
    {
        var run = Path.Combine(_temp.Path, "named");
        CopyDirectory(_models.First, Path.Combine(run, JobOutputs.Model));
        using var silo = new SiloFactory(Path.Combine(run, JobOutputs.Model));
        var client = await silo.ServingClientAsync();
        // Named after the server started: a reload serves the named version, no restart.
        NamingJob.Run(run, "0=seven,1=seven,2=one");
        using (var reload = await client.PostAsync(new Uri("/v1/model/reload", UriKind.Relative), content: null))
        {
            Assert.Equal(HttpStatusCode.OK, reload.StatusCode);
        }

        using var response = await client.PostAsync(s_predict, JsonContent(JsonImages([Values(_models.Image(0)), Values(_models.Image(1))])));
        Assert.Equal(HttpStatusCode.OK, response.StatusCode);
        var answer = (await response.Content.ReadFromJsonAsync<PredictResponse>())!;
        Assert.Equal(answer.Clusters.Select(c => c == 2 ? "one" : "seven"), answer.Labels!);
        Assert.Equal(["seven", "one"], answer.LabelNames!);
        for (var i = 0; i < answer.Clusters.Length; i++)
        {
            var one = answer.ClusterIds.Select((id, c) => id == 2 ? answer.Probabilities[i][c] : 0f).Sum();
            Assert.Equal(one, answer.LabelProbabilities![i][1], 6);
            Assert.Equal(answer.Probabilities[i].Sum() - one, answer.LabelProbabilities[i][0], 5);
        }

        // A model without names answers without them.
        var unnamed = await (await _silo.ServingClientAsync()).PostAsync(s_predict, JsonContent(JsonImages([Values(_models.Image(0))])));
        var plain = (await unnamed.Content.ReadFromJsonAsync<PredictResponse>())!;
        Assert.Null(plain.Labels);
        Assert.Null(plain.LabelProbabilities);
    }

    internal static void CopyDirectory(string source, string target)
    {
        Directory.CreateDirectory(target);
        foreach (var file in Directory.GetFiles(source))
        {
            File.Copy(file, Path.Combine(target, Path.GetFileName(file)));
        }
    }

    /// <summary>Every field equal, probabilities bit for bit.</summary>
    private static void AssertSameAnswer(PredictResponse expected, PredictResponse? actual)
    {
        Assert.NotNull(actual);
        Assert.Equal(expected.ModelVersion, actual.ModelVersion);
        Assert.Equal(expected.Clusters, actual.Clusters);
        Assert.Equal(expected.ClusterIds, actual.ClusterIds);
        Assert.Equal(expected.Novelty, actual.Novelty);
        Assert.Equal(expected.Probabilities.Length, actual.Probabilities.Length);
        for (var i = 0; i < expected.Probabilities.Length; i++)
        {
            Assert.Equal(expected.Probabilities[i], actual.Probabilities[i]);
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
