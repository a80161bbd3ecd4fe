using System.Net;
using System.Net.Http.Headers;
using System.Net.Sockets;
using System.Text;
using MessagePack;
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

    public static TheoryData<string, string, string> BadMessagePack() => new()
    {
        { "not-messagepack", "malformed_body", "malformed MessagePack: Unexpected msgpack code 80" },
        { "array", "malformed_body", "malformed MessagePack" },
        { "empty", "malformed_body", "the body ends inside a value" },
        { "truncated", "malformed_body", "the body ends inside a value" },
        { "trailing", "malformed_body", "data continues after the MessagePack map" },
        { "nil", "malformed_body", "the body is nil" },
        { "no-shape", "malformed_body", "no \"shape\" key" },
        { "no-dtype", "malformed_body", "no \"dtype\" key" },
        { "no-data", "malformed_body", "no \"data\" key" },
        { "shape-string", "malformed_body", "malformed MessagePack" },
        { "shape-floats", "malformed_body", "malformed MessagePack" },
        { "data-array", "malformed_body", "malformed MessagePack" },
        { "dtype-number", "malformed_body", "malformed MessagePack" },
        { "dtype", "malformed_body", "unsupported dtype 'int16' (supported: uint8, float32)" },
        { "float64", "malformed_body", "unsupported dtype 'float64'" },
        { "short-data", "malformed_body", "truncated data: shape [2, 784] uint8 needs 1568 bytes but \"data\" has only 784" },
        { "long-data", "malformed_body", "shape [1, 784] uint8 disagrees with the data: it needs 784 bytes but \"data\" has 1568" },
        { "float32-as-bytes", "malformed_body", "truncated data: shape [1, 784] float32 needs 3136 bytes" },
        { "huge-bin", "malformed_body", "declares a length longer than the body" },
        { "huge-shape", "malformed_body", "declares a length longer than the body" },
        { "huge-map", "malformed_body", "declares a length longer than the body" },
        { "huge-dtype", "malformed_body", "declares a length longer than the body" },
        { "size", "bad_shape", "wrong image size: shape [2, 32, 32]" },
        { "channels", "bad_shape", "wrong image size: shape [2, 3, 28, 28]" },
        { "zero", "bad_shape", "zero images" },
        { "negative", "bad_shape", "shape [-1, 784] has a negative dimension" },
        { "nan", "bad_values", "image 0, pixel 0 is NaN" },
        { "infinite", "bad_values", "is infinite" },
        { "range", "bad_values", "outside the valid range" },
        { "below-zero", "bad_values", "outside the valid range" },
    };

    [Theory]
    [MemberData(nameof(BadMessagePack))]
    public async Task BadMessagePackBodyIs400WithTheProblemAndTheReasonOfTheOtherFormats(string name, string reason, string detail)
    {
        var image = new byte[784];
        var valid = MsgPack(image, 1, 784);
        byte[] body = name switch
        {
            "not-messagepack" => "PK\x03\x04 not msgpack at all"u8.ToArray(),
            "array" => MsgPack((ref MessagePackWriter w) => { w.WriteArrayHeader(2); w.Write(1); w.Write(2); }),
            "empty" => [],
            "truncated" => valid[..^100],
            "trailing" => [.. valid, 0xc0],
            "nil" => [0xc0],
            "no-shape" => MsgPack((ref MessagePackWriter w) => { w.WriteMapHeader(2); w.Write("dtype"); w.Write("uint8"); w.Write("data"); w.Write(image); }),
            "no-dtype" => MsgPack((ref MessagePackWriter w) => { w.WriteMapHeader(2); WriteShape(ref w, [1, 784]); w.Write("data"); w.Write(image); }),
            "no-data" => MsgPack((ref MessagePackWriter w) => { w.WriteMapHeader(2); WriteShape(ref w, [1, 784]); w.Write("dtype"); w.Write("uint8"); }),
            "shape-string" => MsgPack((ref MessagePackWriter w) => { w.WriteMapHeader(3); w.Write("shape"); w.Write("1x784"); w.Write("dtype"); w.Write("uint8"); w.Write("data"); w.Write(image); }),
            "shape-floats" => MsgPack((ref MessagePackWriter w) => { w.WriteMapHeader(3); w.Write("shape"); w.WriteArrayHeader(2); w.Write(1.0); w.Write(784.0); w.Write("dtype"); w.Write("uint8"); w.Write("data"); w.Write(image); }),
            "data-array" => MsgPack((ref MessagePackWriter w) =>
            {
                w.WriteMapHeader(3);
                WriteShape(ref w, [1, 784]);
                w.Write("dtype");
                w.Write("uint8");
                w.Write("data");
                w.WriteArrayHeader(784);
                for (var i = 0; i < 784; i++)
                {
                    w.Write(0);
                }
            }),
            "dtype-number" => MsgPack((ref MessagePackWriter w) => { w.WriteMapHeader(3); WriteShape(ref w, [1, 784]); w.Write("dtype"); w.Write(8); w.Write("data"); w.Write(image); }),
            "dtype" => MsgPack("int16", new byte[2 * 784], 1, 784),
            "float64" => MsgPack("float64", new byte[8 * 784], 1, 784),
            "short-data" => MsgPack(image, 2, 784),
            "long-data" => MsgPack(new byte[2 * 784], 1, 784),
            "float32-as-bytes" => MsgPack("float32", image, 1, 784),
            // Gigabytes declared in a body of a few bytes (headers written raw: the writer would reserve the space): refused, not allocated.
            "huge-bin" => MsgPack((ref MessagePackWriter w) => { w.WriteMapHeader(3); WriteShape(ref w, [1, 784]); w.Write("dtype"); w.Write("uint8"); w.Write("data"); w.WriteRaw([0xc6, 0x7f, 0xff, 0xff, 0xff]); w.Write((byte)1); }),
            "huge-shape" => [0x81, 0xa5, .. "shape"u8, 0xdd, 0xff, 0xff, 0xff, 0xff, 0x01],
            "huge-map" => [0xdf, 0xff, 0xff, 0xff, 0xff, 0xa5, .. "shape"u8],
            "huge-dtype" => [0x81, 0xa5, .. "dtype"u8, 0xdb, 0x7f, 0xff, 0xff, 0xff, (byte)'u'],
            "size" => MsgPack(new byte[2 * 32 * 32], 2, 32, 32),
            "channels" => MsgPack(new byte[2 * 3 * 784], 2, 3, 28, 28),
            "zero" => MsgPack(Array.Empty<byte>(), 0, 784),
            "negative" => MsgPack(image, -1, 784),
            "nan" => MsgPack(Enumerable.Repeat(float.NaN, 784).ToArray(), 1, 784),
            "infinite" => MsgPack(Enumerable.Repeat(float.NegativeInfinity, 784).ToArray(), 1, 28, 28),
            "range" => MsgPack(Enumerable.Repeat(300f, 784).ToArray(), 1, 784),
            "below-zero" => MsgPack(Enumerable.Repeat(-0.5f, 784).ToArray(), 1, 784),
            _ => throw new ArgumentOutOfRangeException(nameof(name)),
        };
        var client = await _silo.ServingClientAsync();
        using var response = await client.PostAsync(s_predict, MsgPackContent(body));
        await AssertProblemAsync(response, HttpStatusCode.BadRequest, detail);
        var metrics = await client.GetStringAsync(new Uri("/metrics", UriKind.Relative));
        Assert.Contains($"distributed_predictor_errors_total{{endpoint=\"predict\",status=\"400\",reason=\"{reason}\"}} 1\n", metrics);
    }

    public static TheoryData<string> Formats() => ["json", "npy", "msgpack"];

    /// <summary>
    /// Seeded mutations of a valid body (truncated, bytes overwritten with random or format-significant
    /// values, bytes inserted) and random bytes: each gets an answer or a 4xx problem, never a 500.
    /// </summary>
    [Theory]
    [MemberData(nameof(Formats))]
    public async Task FuzzedBodiesGetAnAnswerOrA4xxNeverA500(string format)
    {
        var client = await _silo.ServingClientAsync();
        var pixels = TrainedModels.Instance.Pixels.AsSpan(0, 2 * 784);
        var (valid, contentType) = format switch
        {
            "json" => (Encoding.UTF8.GetBytes(JsonImages([Values(TrainedModels.Instance.Image(0)), Values(TrainedModels.Instance.Image(1))])), "application/json"),
            "npy" => (Npy(pixels, 2, 28, 28), "application/x-npy"),
            _ => (MsgPack(pixels, 2, 28, 28), "application/msgpack"),
        };
        foreach (var seed in new[] { 1, 2, 3 })
        {
            var random = new Random(seed);
            // 3 formats × 3 seeds × 600: 5,400 bodies.
            for (var i = 0; i < 600; i++)
            {
                var body = Mutate(valid, random);
                using var content = new ByteArrayContent(body);
                content.Headers.ContentType = new MediaTypeHeaderValue(contentType);
                using var response = await client.PostAsync(s_predict, content);
                var status = (int)response.StatusCode;
                var answer = await response.Content.ReadAsStringAsync();
                Assert.True(status is 200 or 400 or 413, $"{format} seed {seed} case {i}: {status} {answer}");
                if (status != 200)
                {
                    Assert.Equal("application/problem+json", response.Content.Headers.ContentType?.MediaType);
                }
            }
        }
    }

    /// <summary>One mutation of <paramref name="valid"/>, or random bytes; shared with the decoder's fuzz test.</summary>
    internal static byte[] Mutate(byte[] valid, Random random)
    {
        // Bytes with a meaning in MessagePack (nil, bin/str/array/map headers of every width, floats) or .npy/JSON text.
        ReadOnlySpan<byte> significant = [0xc0, 0xc4, 0xc5, 0xc6, 0xca, 0xcb, 0xd9, 0xda, 0xdb, 0xdc, 0xdd, 0xde, 0xdf, 0x90, 0x80, 0xa0, 0xff, 0x7f, 0x00, (byte)'[', (byte)']', (byte)'{', (byte)'"', (byte)',', (byte)'('];
        var body = (byte[])valid.Clone();
        switch (random.Next(5))
        {
            case 0:
                return body[..random.Next(body.Length)];
            case 1:
                for (var n = random.Next(1, 9); n > 0; n--)
                {
                    body[random.Next(body.Length)] = (byte)random.Next(256);
                }
                return body;
            case 2:
                for (var n = random.Next(1, 5); n > 0; n--)
                {
                    // Mostly near the start, where the headers and keys are.
                    body[random.Next(Math.Min(body.Length, 64))] = significant[random.Next(significant.Length)];
                }
                return body;
            case 3:
                var at = random.Next(body.Length);
                return [.. body[..at], significant[random.Next(significant.Length)], .. body[at..]];
            default:
                var noise = new byte[random.Next(2000)];
                random.NextBytes(noise);
                return noise;
        }
    }

    [Fact]
    public async Task TooManyImagesIs413()
    {
        var client = await _silo.ServingClientAsync();
        using var npy = await client.PostAsync(s_predict, NpyContent(Npy(new byte[5 * 784], 5, 784)));
        await AssertProblemAsync(npy, HttpStatusCode.RequestEntityTooLarge, "too many images: 5 images, the limit is 4 per request");
        using var json = await client.PostAsync(s_predict, JsonContent(JsonImages(Enumerable.Repeat(Enumerable.Repeat("0", 784), 5))));
        await AssertProblemAsync(json, HttpStatusCode.RequestEntityTooLarge, "too many images: more than 4 images");
        using var messagePack = await client.PostAsync(s_predict, MsgPackContent(MsgPack(new byte[5 * 784], 5, 28, 28)));
        await AssertProblemAsync(messagePack, HttpStatusCode.RequestEntityTooLarge, "too many images: 5 images, the limit is 4 per request");
        // The shape alone decides, before the data is looked at: a million images declared over one image's data.
        using var declared = await client.PostAsync(s_predict, MsgPackContent(MsgPack(new byte[784], 1_000_000, 784)));
        await AssertProblemAsync(declared, HttpStatusCode.RequestEntityTooLarge, "too many images: 1000000 images");
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
    [InlineData("text/plain", "unsupported Content-Type 'text/plain'; send application/x-npy, application/json or application/msgpack")]
    [InlineData("application/x-msgpack", "unsupported Content-Type 'application/x-msgpack'")]
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
