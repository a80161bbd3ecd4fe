using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using static Distributed.Grains.Tests.Apis.ApiTestData;
using static Distributed.Grains.Tests.Apis.PredictorApiTests;

namespace Distributed.Grains.Tests.Apis;

/// <summary>Bad requests get 400/413/415/408 with a problem details body that says what is wrong; never a 500.</summary>
public sealed class PredictorApiBadInputTests : IDisposable
{
    private static readonly Uri s_predict = new("/v1/predict", UriKind.Relative);
    private readonly SiloFactory _silo = new(TrainedModels.Instance.First, new Dictionary<string, string>
    {
        ["Predictor:MaxImagesPerRequest"] = "4",
        ["Predictor:MaxBodyBytes"] = "40000",
        ["Predictor:RequestTimeout"] = "00:00:00.5",
    });

    public void Dispose() => _silo.Dispose();

    public static TheoryData<string, string> BadNpy() => new()
    {
        { "bad-magic", "bad magic" },
        { "fortran", "Fortran" },
        { "dtype", "unsupported dtype" },
        { "truncated", "truncated" },
        { "extra", "disagrees with the file size" },
        { "nan", "image 0, pixel 0 is NaN" },
        { "infinite", "is infinite" },
        { "range", "outside the valid range" },
        { "negative", "outside the valid range" },
        { "size", "wrong image size: shape (2, 32, 32)" },
        { "channels", "wrong image size: shape (2, 3, 28, 28)" },
        { "zero", "zero images" },
        { "empty", "shorter than the 8-byte .npy preamble" },
        { "header", "malformed shape" },
    };

    [Theory]
    [MemberData(nameof(BadNpy))]
    public async Task BadNpyBodyIs400WithTheProblem(string name, string detail)
    {
        byte[] body = name switch
        {
            "bad-magic" => "PK\x03\x04 not numpy at all"u8.ToArray(),
            "fortran" => RawNpy("|u1", "(2, 784)", 2 * 784, fortran: "True"),
            "dtype" => RawNpy("<c8", "(2, 784)", 2 * 784 * 8),
            "truncated" => RawNpy("|u1", "(2, 784)", 784),
            "extra" => RawNpy("|u1", "(2, 784)", 3 * 784),
            "nan" => Npy(Enumerable.Repeat(float.NaN, 784).ToArray(), 1, 784),
            "infinite" => Npy(Enumerable.Repeat(float.PositiveInfinity, 784).ToArray(), 1, 784),
            "range" => Npy(Enumerable.Repeat(300f, 784).ToArray(), 1, 784),
            "negative" => Npy(Enumerable.Repeat(-1f, 784).ToArray(), 1, 784),
            "size" => RawNpy("|u1", "(2, 32, 32)", 2 * 32 * 32),
            "channels" => RawNpy("|u1", "(2, 3, 28, 28)", 2 * 3 * 784),
            "zero" => RawNpy("|u1", "(0, 784)", 0),
            "empty" => [],
            "header" => RawNpy("|u1", "(two, 784)", 784),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        var client = await _silo.ServingClientAsync();
        using var response = await client.PostAsync(s_predict, NpyContent(body));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, detail);
    }

    public static TheoryData<string, string> BadJson() => new()
    {
        { "{\"images\": [[1, 2, 3", "malformed JSON" },
        { "[[0, 1]]", "not a JSON object" },
        { "{\"pixels\": []}", "no \"images\" property" },
        { "{\"images\": 5}", "\"images\" is not an array" },
        { "{\"images\": [5]}", "image 0 is not an array of 784 numbers" },
        { "{\"images\": [[\"a\"]]}", "image 0, pixel 0 is not a number" },
        { "{\"images\": [[NaN]]}", "malformed JSON" },
        { "{\"images\": []}", "zero images" },
        { "{\"images\": []} {}", "malformed JSON" },
        { "{\"images\": [], \"images\": []}", "\"images\" appears twice" },
        { "", "malformed JSON" },
    };

    [Theory]
    [MemberData(nameof(BadJson))]
    public async Task MalformedJsonIs400WithTheProblem(string json, string detail)
    {
        var client = await _silo.ServingClientAsync();
        using var response = await client.PostAsync(s_predict, JsonContent(json));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, detail);
    }

    public static TheoryData<int, string, string> BadJsonValues() => new()
    {
        { 783, "1", "image 0 has 783 values, expected 784" },
        { 785, "1", "image 0 has 785 values, expected 784" },
        { 784, "256", "outside the valid range: image 0, pixel 0 is 256" },
        { 784, "-0.5", "outside the valid range: image 0, pixel 0 is -0.5" },
        { 784, "1e39", "image 0, pixel 0 is infinite" },
        { 784, "1e999", "image 0, pixel 0 is infinite" },
    };

    [Theory]
    [MemberData(nameof(BadJsonValues))]
    public async Task WrongJsonImageSizeAndValuesAre400(int values, string first, string detail)
    {
        var client = await _silo.ServingClientAsync();
        var image = new[] { first }.Concat(Enumerable.Repeat("0", values - 1));
        using var response = await client.PostAsync(s_predict, JsonContent(JsonImages([image])));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, detail);
    }

    [Fact]
    public async Task TooManyImagesIs413()
    {
        var client = await _silo.ServingClientAsync();
        using var npy = await client.PostAsync(s_predict, NpyContent(Npy(new byte[5 * 784], 5, 784)));
        await AssertProblemAsync(npy, HttpStatusCode.RequestEntityTooLarge, "too many images: 5 images, the limit is 4 per request");
        using var json = await client.PostAsync(s_predict, JsonContent(JsonImages(Enumerable.Repeat(Enumerable.Repeat("0", 784), 5))));
        await AssertProblemAsync(json, HttpStatusCode.RequestEntityTooLarge, "too many images: more than 4 images");
    }

    [Fact]
    public async Task BodyOverTheByteLimitIs413WithOrWithoutContentLength()
    {
        var client = await _silo.ServingClientAsync();
        var body = new byte[40001];
        using var declared = await client.PostAsync(s_predict, NpyContent(body));
        await AssertProblemAsync(declared, HttpStatusCode.RequestEntityTooLarge, "40001 bytes exceeds the limit of 40000 bytes");

        using var chunked = new StreamContent(new UnknownLengthStream(body));
        chunked.Headers.ContentType = new MediaTypeHeaderValue("application/x-npy");
        using var response = await client.PostAsync(s_predict, chunked);
        await AssertProblemAsync(response, HttpStatusCode.RequestEntityTooLarge, "exceeds the limit of 40000 bytes");
    }

    [Theory]
    [InlineData("text/plain", "unsupported Content-Type 'text/plain'")]
    [InlineData(null, "missing or invalid Content-Type")]
    public async Task OtherContentTypesAre415(string? contentType, string detail)
    {
        var client = await _silo.ServingClientAsync();
        using var content = new ByteArrayContent(Encoding.UTF8.GetBytes("hello"));
        content.Headers.ContentType = contentType is null ? null : new MediaTypeHeaderValue(contentType);
        using var response = await client.PostAsync(s_predict, content);
        await AssertProblemAsync(response, HttpStatusCode.UnsupportedMediaType, detail);
    }

    [Fact]
    public async Task BodyThatStopsArrivingIs408AfterTheTimeout()
    {
        // A real socket: the client sends headers and part of the body, then nothing.
        var address = _silo.StartOnLoopback();
        using var http = new HttpClient { BaseAddress = address };
        await SiloFactory.WaitUntilServingAsync(http, "first");
        using var socket = new TcpClient();
        await socket.ConnectAsync(address.Host, address.Port);
        var stream = socket.GetStream();
        var partial = RawNpy("|u1", "(1, 784)", 10);
        await stream.WriteAsync(Encoding.ASCII.GetBytes(
            $"POST /v1/predict HTTP/1.1\r\nHost: {address.Authority}\r\nContent-Type: application/x-npy\r\nContent-Length: {partial.Length + 774}\r\n\r\n"));
        await stream.WriteAsync(partial);
        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        var (status, body) = await ReadResponseAsync(stream, deadline.Token);
        Assert.Equal(408, status);
        Assert.Contains("did not arrive within the request timeout of 0.5 s", body);
    }

    [Fact]
    public async Task RefusedRequestsAreCountedByStatusAndReason()
    {
        var client = await _silo.ServingClientAsync();
        using (await client.PostAsync(s_predict, NpyContent(Npy(Enumerable.Repeat(300f, 784).ToArray(), 1, 784))))
        {
        }
        using (await client.PostAsync(s_predict, NpyContent(Npy(new byte[5 * 784], 5, 784))))
        {
        }
        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains("distributed_predictor_errors_total{endpoint=\"predict\",status=\"400\",reason=\"bad_values\"} 1\n", metrics);
        Assert.Contains("distributed_predictor_errors_total{endpoint=\"predict\",status=\"413\",reason=\"too_many_images\"} 1\n", metrics);
        Assert.Contains("distributed_predictor_requests_total{endpoint=\"predict\",status=\"400\"} 1\n", metrics);
    }

    /// <summary>A body stream that does not say its length, so the request is sent chunked.</summary>
    private sealed class UnknownLengthStream(byte[] data) : MemoryStream(data)
    {
        public override bool CanSeek => false;

        public override long Length => throw new NotSupportedException();
    }

    /// <summary>Reads one HTTP/1.1 response with a Content-Length body: its status code and body text.</summary>
    private static async Task<(int Status, string Body)> ReadResponseAsync(Stream stream, CancellationToken cancellationToken)
    {
        var received = new List<byte>();
        var buffer = new byte[4096];
        int headerEnd;
        while ((headerEnd = IndexOf(received, "\r\n\r\n"u8)) < 0)
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            Assert.True(read > 0, "connection closed before the response headers");
            received.AddRange(buffer.AsSpan(0, read));
        }
        var headers = Encoding.ASCII.GetString([.. received.Take(headerEnd)]).Split("\r\n");
        var status = int.Parse(headers[0].Split(' ')[1], System.Globalization.CultureInfo.InvariantCulture);
        var contentLength = headers.SingleOrDefault(h => h.StartsWith("Content-Length:", StringComparison.OrdinalIgnoreCase));
        // Without a Content-Length the body is chunked: read to the last chunk (the text keeps the chunk sizes).
        bool Complete() => contentLength is null
            ? IndexOf(received, "\r\n0\r\n\r\n"u8) > headerEnd
            : received.Count >= headerEnd + 4 + int.Parse(contentLength["Content-Length:".Length..].Trim(), System.Globalization.CultureInfo.InvariantCulture);
        while (!Complete())
        {
            var read = await stream.ReadAsync(buffer, cancellationToken);
            Assert.True(read > 0, "connection closed before the end of the response body");
            received.AddRange(buffer.AsSpan(0, read));
        }
        return (status, Encoding.UTF8.GetString([.. received.Skip(headerEnd + 4)]));
    }

    private static int IndexOf(List<byte> data, ReadOnlySpan<byte> pattern)
    {
        for (var i = 0; i + pattern.Length <= data.Count; i++)
        {
            var match = true;
            for (var j = 0; j < pattern.Length && match; j++)
            {
                match = data[i + j] == pattern[j];
            }
            if (match)
            {
                return i;
            }
        }
        return -1;
    }
}
