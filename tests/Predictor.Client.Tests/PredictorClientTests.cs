using System.Net;
using Distributed.Grains.Interfaces.Serving;
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

    public static TheoryData<PredictorWireFormat> WireFormats() => [.. Enum.GetValues<PredictorWireFormat>()];

    [Theory]
    [MemberData(nameof(WireFormats))]
    public async Task EveryWireFormatPredictsFloatsAndPixelsLikeTheModelItself(PredictorWireFormat format)
    {
        var client = new PredictorClient(await _silo.ServingClientAsync(), format);
        var indices = new[] { 0, 1, 2, 100, 179 };
        var expected = ModelBundle.Load(_models.First).Model.Predict(
            new Matrix(indices.Length, 784, [.. indices.SelectMany(i => _models.Image(i).Select(v => v / 255f))]));
        var pixels = indices.SelectMany(i => _models.Pixels.AsSpan(i * 784, 784).ToArray()).ToArray();

        var fromRaw = await client.PredictAsync([.. indices.Select(_models.Image)]);
        var fromScaled = await client.PredictAsync([.. indices.Select(i => _models.Image(i).Select(v => v / 255f).ToArray())]);
        var fromPixels = await client.PredictPixelsAsync(pixels);

        Assert.Equal(format, client.WireFormat);
        foreach (var response in new[] { fromRaw, fromScaled, fromPixels })
        {
            Assert.Equal(expected.Clusters, response.Clusters);
            Assert.Equal(expected.ClusterIds, response.ClusterIds);
            Assert.Equal(expected.Probabilities.Data, response.Probabilities.SelectMany(p => p));
            Assert.Equal(expected.Novelty, response.Novelty);
            Assert.Equal(fromRaw.ModelVersion, response.ModelVersion);
        }
    }

    [Theory]
    [InlineData(PredictorWireFormat.Json, "application/json", "application/json")]
    [InlineData(PredictorWireFormat.Npy, "application/x-npy", "application/json")]
    [InlineData(PredictorWireFormat.MessagePack, "application/msgpack", "application/msgpack")]
    public async Task EachWireFormatSendsItsContentTypeAndMessagePackGetsMessagePackAnswers(PredictorWireFormat format, string sent, string answered)
    {
        var recorder = new Recorder();
        var http = _silo.CreateDefaultClient(recorder);
        await SiloFactory.WaitUntilServingAsync(http, _models.First);
        var client = new PredictorClient(http, format);
        await client.PredictPixelsAsync(_models.Pixels.AsMemory(0, 2 * 784));
        await client.PredictAsync([_models.Image(0)]);
        Assert.Equal([sent, sent], recorder.Sent);
        Assert.Equal([answered, answered], recorder.Answered);
        Assert.All(recorder.Lengths, length => Assert.NotNull(length));

        // A .npy file goes as it is; only the answer follows the wire format.
        using var npy = new MemoryStream();
        NpyWriter.Write(npy, _models.Pixels.AsSpan(0, 784), 1, 784);
        await client.PredictAsync(npy.ToArray().AsMemory());
        Assert.Equal("application/x-npy", recorder.Sent[^1]);
        Assert.Equal(answered, recorder.Answered[^1]);
    }

    /// <summary>The body a caller posts itself is the one the client sends for raw pixels: uint8 (N, 28, 28), the same answer.</summary>
    [Fact]
    public async Task NpyPixelsBodyIsWhatRawPixelsGoAs()
    {
        var pixels = _models.Pixels.AsMemory(0, 2 * 784);
        var body = PredictorClient.NpyPixelsBody(pixels.Span);
        var array = NpyReader.Read(new MemoryStream(body));
        Assert.Equal(NpyDType.UInt8, array.DType);
        Assert.Equal(new long[] { 2, 28, 28 }, array.Shape);
        Assert.Equal(pixels.ToArray(), array.Bytes);

        var client = new PredictorClient(await _silo.ServingClientAsync(), PredictorWireFormat.Npy);
        var sent = await client.PredictPixelsAsync(pixels);
        var posted = await client.PredictAsync(body.AsMemory());
        Assert.Equal(sent.Clusters, posted.Clusters);
        Assert.Equal(sent.Probabilities.SelectMany(p => p), posted.Probabilities.SelectMany(p => p));
        var partial = Assert.Throws<ArgumentException>(() => PredictorClient.NpyPixelsBody(new byte[785]));
        Assert.Contains("785 bytes are not whole images of 784 pixels", partial.Message);
    }

    [Theory]
    [MemberData(nameof(WireFormats))]
    public async Task ImagesThatAreNotWhole28x28AreRefusedByTheClientWhenPackedAndByTheServerAsJson(PredictorWireFormat format)
    {
        var client = new PredictorClient(await _silo.ServingClientAsync(), format);
        var pixels = await Assert.ThrowsAsync<ArgumentException>(() => client.PredictPixelsAsync(new byte[785]));
        Assert.Contains("785 bytes are not whole images of 784 pixels", pixels.Message);
        if (format == PredictorWireFormat.Json)
        {
            var refused = await Assert.ThrowsAsync<PredictorApiException>(() => client.PredictAsync([new float[784], new float[783]]));
            Assert.Contains("image 1 has 783 values, expected 784", refused.Problem.Detail);
        }
        else
        {
            var ragged = await Assert.ThrowsAsync<ArgumentException>(() => client.PredictAsync([new float[784], new float[783]]));
            Assert.Contains("image 1 has 783 values, expected 784", ragged.Message);
        }
    }

    [Theory]
    [MemberData(nameof(WireFormats))]
    public async Task RefusalsCarryTheProblemDetailsInEveryWireFormat(PredictorWireFormat format)
    {
        var client = new PredictorClient(await _silo.ServingClientAsync(), format);
        var outOfRange = await Assert.ThrowsAsync<PredictorApiException>(() => client.PredictAsync([Enumerable.Repeat(300f, 784).ToArray()]));
        Assert.Equal(HttpStatusCode.BadRequest, outOfRange.StatusCode);
        Assert.Equal("Invalid images", outOfRange.Problem.Title);
        Assert.Contains("image 0, pixel 0 is 300", outOfRange.Problem.Detail);
        var none = await Assert.ThrowsAsync<PredictorApiException>(() => client.PredictPixelsAsync(ReadOnlyMemory<byte>.Empty));
        Assert.Contains("zero images", none.Problem.Detail);
    }

    [Fact]
    public void AnUnknownWireFormatIsRefused() =>
        Assert.Throws<ArgumentOutOfRangeException>(() => new PredictorClient(new HttpClient(), (PredictorWireFormat)7));

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
        // A predictor silo of a cluster that has published no model yet.
        using var silo = new SiloFactory(null, new Dictionary<string, string> { ["Silo:Store"] = temp.File("store"), ["Silo:Roles"] = "predictor" });
        var client = new PredictorClient(silo.CreateClient());
        Assert.False(await client.IsHealthyAsync());
        var error = await Assert.ThrowsAsync<PredictorApiException>(() => client.PredictAsync([new float[784]]));
        Assert.Equal(HttpStatusCode.ServiceUnavailable, error.StatusCode);
        Assert.False(error.IsClientError);
        Assert.Contains("no model is loaded", error.Problem.Detail);
    }

    /// <summary>Records what each request sent and what came back.</summary>
    private sealed class Recorder : DelegatingHandler
    {
        public List<string?> Sent { get; } = [];

        public List<long?> Lengths { get; } = [];

        public List<string?> Answered { get; } = [];

        protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
        {
            var response = await base.SendAsync(request, cancellationToken);
            if (request.Method == HttpMethod.Post && request.RequestUri!.AbsolutePath.EndsWith("/v1/predict", StringComparison.Ordinal))
            {
                Sent.Add(request.Content?.Headers.ContentType?.MediaType);
                Lengths.Add(request.Content?.Headers.ContentLength);
                Answered.Add(response.Content.Headers.ContentType?.MediaType);
            }
            return response;
        }
    }
}
