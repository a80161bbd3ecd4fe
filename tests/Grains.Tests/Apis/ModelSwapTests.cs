using System.Collections.Concurrent;
using System.Net;
using System.Net.Http.Json;
using Distributed.Grains.Interfaces.Serving;
using Distributed.Grains.Jobs;
using Distributed.Grains.Serving;
using Distributed.Grains.Storage;
using Microsoft.Extensions.DependencyInjection;
using static Distributed.Grains.Tests.Apis.ApiTestData;

namespace Distributed.Grains.Tests.Apis;

/// <summary>
/// Publishing and reloading models while requests are in flight fails none of them and never
/// mixes two models in one answer: 20,000 requests from 16 workers through 10 reloads.
/// </summary>
public sealed class ModelSwapTests : IDisposable
{
    private const int Workers = 16;
    private const int RequestsPerWorker = 1_250;
    private const int Reloads = 10;
    private static readonly TimeSpan s_deadline = TimeSpan.FromSeconds(300);
    private readonly TrainedModels _models = TrainedModels.Instance;
    private readonly TempDirectory _temp = new();
    private readonly RunDirectory _run;
    private readonly SiloFactory _silo;

    public ModelSwapTests()
    {
        _run = new RunDirectory(_temp.File("run"), JobOutputs.All);
        PredictorApiTests.PublishCopy(_run, _models.First, "published-00");
        _silo = new SiloFactory(_run.Root);
    }

    public void Dispose()
    {
        _silo.Dispose();
        _temp.Dispose();
    }

    [Fact]
    public async Task ReloadsUnderConcurrentRequestsDropNothing()
    {
        var client = await _silo.ServingClientAsync();
        var predictor = _silo.Services.GetRequiredService<Predictor>();
        var first = predictor.Current!;
        var second = LoadedModel.Load(_models.Second);
        var images = Enumerable.Range(0, 6).Select(i => i * 31 % _models.ImageCount).ToArray();
        var body = Npy([.. images.SelectMany(i => _models.Pixels.AsSpan(i * 784, 784).ToArray())], images.Length, 784);
        var expected = new Dictionary<string, Ml.Pipeline.PipelinePrediction>
        {
            [first.Version] = Direct(first, images),
            [second.Version] = Direct(second, images),
        };

        var answers = new ConcurrentBag<(HttpStatusCode Status, PredictResponse? Response)>();
        var started = new CountdownEvent(Workers);
        using var timeout = new CancellationTokenSource(s_deadline);
        var workers = Enumerable.Range(0, Workers).Select(_ => Task.Run(async () =>
        {
            started.Signal();
            for (var r = 0; r < RequestsPerWorker; r++)
            {
                using var response = await client.PostAsync(new Uri("/v1/predict", UriKind.Relative), NpyContent(body), timeout.Token);
                answers.Add((response.StatusCode, response.IsSuccessStatusCode ? await response.Content.ReadFromJsonAsync<PredictResponse>(timeout.Token) : null));
            }
        })).ToArray();

        Assert.True(started.Wait(s_deadline), "workers did not start");
        // Publish and reload back and forth while the workers run, ending (10 is even) on the first model.
        for (var reload = 1; reload <= Reloads; reload++)
        {
            await WaitForAnswersAsync(answers, reload * Workers * RequestsPerWorker / (Reloads + 2), timeout.Token);
            PredictorApiTests.PublishCopy(_run, reload % 2 == 1 ? _models.Second : _models.First, $"published-{reload:D2}");
            using var reloaded = await client.PostAsync(new Uri("/v1/model/reload", UriKind.Relative), null, timeout.Token);
            Assert.Equal(HttpStatusCode.OK, reloaded.StatusCode);
        }
        await Task.WhenAll(workers);

        Assert.Equal(Workers * RequestsPerWorker, answers.Count);
        Assert.All(answers, a => Assert.Equal(HttpStatusCode.OK, a.Status));
        Assert.All(answers, a =>
        {
            var reference = expected[a.Response!.ModelVersion];
            Assert.Equal(reference.Clusters, a.Response.Clusters);
            Assert.Equal(reference.Probabilities.Data, a.Response.Probabilities.SelectMany(p => p));
        });
        Assert.Equal(2, answers.Select(a => a.Response!.ModelVersion).Distinct().Count());
        var info = await client.GetFromJsonAsync<ModelInfo>(new Uri("/v1/model", UriKind.Relative));
        Assert.Equal(first.Version, info!.ModelVersion);

        // The model_info gauge follows the swap: only the served version is exported.
        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains($"distributed_predictor_model_info{{version=\"{first.Version}\"}} 1\n", metrics);
        Assert.DoesNotContain(second.Version, metrics);
    }

    private Ml.Pipeline.PipelinePrediction Direct(LoadedModel model, int[] images) =>
        model.Model.Predict(new Ml.Numerics.Matrix(images.Length, 784, [.. images.SelectMany(i => _models.Image(i).Select(v => v / 255f))]));

    private static async Task WaitForAnswersAsync(ConcurrentBag<(HttpStatusCode, PredictResponse?)> answers, int count, CancellationToken cancellationToken)
    {
        while (answers.Count < count)
        {
            await Task.Delay(1, cancellationToken);
        }
    }
}
