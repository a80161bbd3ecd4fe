using System.Diagnostics;
using System.Globalization;
using Distributed.Ml.Data;
using Distributed.Predictor.Client;

namespace Distributed.Bench.Load;

/// <summary>
/// A bounded load run against a running predictor (<c>serve</c> or a Silo with a model): a fixed number
/// of requests of uint8 images (one each by default) in one wire format (.npy by default) at a fixed
/// concurrency, then errors, latency percentiles, requests/s and bytes per request and answer. Each
/// request is encoded and its answer decoded by <see cref="PredictorClient"/>, as a caller would, so
/// a format's client-side cost counts too. Stops at the request count or the deadline, whichever comes first.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var settings = LoadSettings.Parse(args);
        if (settings is null)
        {
            Console.Error.WriteLine("usage: Distributed.Bench.Load --url http://127.0.0.1:5080/ [--images test-images.npy] [--requests 20000] [--concurrency 32] [--warmup 1000] [--deadline-s 300] [--format npy|json|msgpack] [--images-per-request 1]");
            return 2;
        }
        var requests = RequestImages(settings.ImagesPath, settings.ImagesPerRequest);
        using var sockets = new SocketsHttpHandler { MaxConnectionsPerServer = settings.Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        var bytes = new ByteCounter { InnerHandler = sockets };
        using var http = new HttpClient(bytes) { BaseAddress = settings.Url, Timeout = TimeSpan.FromSeconds(30) };
        var client = new PredictorClient(http, settings.Format);
        if (!await client.IsHealthyAsync())
        {
            Console.Error.WriteLine($"error: {settings.Url} has no model loaded (/health is 503)");
            return 1;
        }
        using var deadline = new CancellationTokenSource(settings.Deadline);
        // Warm-up: JIT, connection pool and caches; not measured.
        await RunAsync(client, requests, settings.Warmup, settings.Concurrency, deadline.Token);
        bytes.Reset();
        var result = await RunAsync(client, requests, settings.Requests, settings.Concurrency, deadline.Token);
        result.Print(Console.Out, settings, bytes);
        return result.Errors == 0 && result.Completed == settings.Requests ? 0 : 1;
    }

    private static async Task<LoadResult> RunAsync(PredictorClient client, ReadOnlyMemory<byte>[] images, int requests, int concurrency, CancellationToken cancellationToken)
    {
        var latencies = new long[requests];
        var next = -1;
        var errors = 0;
        string? firstError = null;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < requests && !cancellationToken.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                try
                {
                    var request = images[index % images.Length];
                    var response = await client.PredictPixelsAsync(request, cancellationToken);
                    if (response.Clusters.Length != request.Length / ImageShape.Pixels)
                    {
                        throw new InvalidDataException($"{response.Clusters.Length} predictions for {request.Length / ImageShape.Pixels} images");
                    }
                }
                catch (Exception e) when (e is PredictorApiException or HttpRequestException or InvalidDataException or TaskCanceledException)
                {
                    Interlocked.Increment(ref errors);
                    Interlocked.CompareExchange(ref firstError, e.Message, null);
                }
                latencies[index] = Stopwatch.GetTimestamp() - started;
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var completed = Math.Min(requests, next);
        return new LoadResult(completed, errors, firstError, clock.Elapsed, latencies.AsSpan(0, completed).ToArray());
    }

    /// <summary>
    /// The images of each distinct request: consecutive groups of <paramref name="perRequest"/> of the
    /// file's first 1,000 uint8 images (or of seeded noise images without a file), wrapping around.
    /// </summary>
    private static ReadOnlyMemory<byte>[] RequestImages(string? path, int perRequest)
    {
        byte[] pixels;
        if (path is null)
        {
            var random = new Random(42);
            pixels = new byte[1000 * ImageShape.Pixels];
            random.NextBytes(pixels);
        }
        else
        {
            using var file = File.OpenRead(path);
            var array = NpyReader.Read(file);
            var count = Math.Min(1000, ImageDecoder.ImageCount(array.Shape, array.ShapeText));
            if (array.DType != NpyDType.UInt8)
            {
                throw new InvalidDataException($"{path}: expected uint8 images, got {array.DType}");
            }
            pixels = array.Bytes.AsSpan(0, count * ImageShape.Pixels).ToArray();
        }
        var images = pixels.Length / ImageShape.Pixels;
        var requests = new ReadOnlyMemory<byte>[Math.Max(1, images / perRequest)];
        for (var i = 0; i < requests.Length; i++)
        {
            var request = new byte[perRequest * ImageShape.Pixels];
            for (var j = 0; j < perRequest; j++)
            {
                pixels.AsSpan((i * perRequest + j) % images * ImageShape.Pixels, ImageShape.Pixels).CopyTo(request.AsSpan(j * ImageShape.Pixels));
            }
            requests[i] = request;
        }
        return requests;
    }

    private sealed record LoadResult(int Completed, int Errors, string? FirstError, TimeSpan Wall, long[] Latencies)
    {
        public void Print(TextWriter output, LoadSettings settings, ByteCounter bytes)
        {
            Array.Sort(Latencies);
            string Ms(double quantile) => Latencies.Length == 0 ? "n/a"
                : (Latencies[Math.Min(Latencies.Length - 1, (int)Math.Ceiling(quantile * Latencies.Length) - 1)] * 1000.0 / Stopwatch.Frequency).ToString("0.00", CultureInfo.InvariantCulture);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"target       {settings.Url}"));
            var format = LoadSettings.Formats.Single(f => f.Value == settings.Format).Key;
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"requests     {Completed} of {settings.Requests} ({settings.ImagesPerRequest} uint8 image(s) each, {format}), concurrency {settings.Concurrency}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"errors       {Errors}{(FirstError is null ? "" : $" (first: {FirstError})")}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wall         {Wall.TotalSeconds:0.00} s"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"throughput   {Completed / Wall.TotalSeconds:0} requests/s"));
            output.WriteLine($"latency ms   p50 {Ms(0.50)}  p90 {Ms(0.90)}  p99 {Ms(0.99)}  max {Ms(1.0)}");
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"bytes        request body {bytes.RequestBytes / (double)Math.Max(1, bytes.Requests):0}, answer body {bytes.AnswerBytes / (double)Math.Max(1, bytes.Requests):0} (mean)"));
        }
    }
}
