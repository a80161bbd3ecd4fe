using System.Diagnostics;
using System.Globalization;
using Distributed.Ml.Data;
using Distributed.Predictor.Client;

namespace Distributed.Bench.Load;

/// <summary>
/// A bounded load run against a running predictor (<c>serve</c> or a Silo with a model): a fixed number
/// of single-image <c>.npy</c> requests at a fixed concurrency, then errors, latency percentiles and
/// requests/s. Stops at the request count or the deadline, whichever comes first.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var settings = LoadSettings.Parse(args);
        if (settings is null)
        {
            Console.Error.WriteLine("usage: Distributed.Bench.Load --url http://127.0.0.1:5080/ [--images test-images.npy] [--requests 20000] [--concurrency 32] [--warmup 1000] [--deadline-s 300]");
            return 2;
        }
        var bodies = SingleImageBodies(settings.ImagesPath);
        using var handler = new SocketsHttpHandler { MaxConnectionsPerServer = settings.Concurrency, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        using var http = new HttpClient(handler) { BaseAddress = settings.Url, Timeout = TimeSpan.FromSeconds(30) };
        var client = new PredictorClient(http);
        if (!await client.IsHealthyAsync())
        {
            Console.Error.WriteLine($"error: {settings.Url} has no model loaded (/health is 503)");
            return 1;
        }
        using var deadline = new CancellationTokenSource(settings.Deadline);
        // Warm-up: JIT, connection pool and caches; not measured.
        await RunAsync(client, bodies, settings.Warmup, settings.Concurrency, deadline.Token);
        var result = await RunAsync(client, bodies, settings.Requests, settings.Concurrency, deadline.Token);
        result.Print(Console.Out, settings);
        return result.Errors == 0 && result.Completed == settings.Requests ? 0 : 1;
    }

    private static async Task<LoadResult> RunAsync(PredictorClient client, byte[][] bodies, int requests, int concurrency, CancellationToken cancellationToken)
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
                    var response = await client.PredictAsync(bodies[index % bodies.Length], cancellationToken);
                    if (response.Clusters.Length != 1)
                    {
                        throw new InvalidDataException($"{response.Clusters.Length} predictions for one image");
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

    /// <summary>One (1, 1, 28, 28) uint8 .npy body per image of the file (at most 1,000), or seeded noise images without a file.</summary>
    private static byte[][] SingleImageBodies(string? path)
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
        var bodies = new byte[pixels.Length / ImageShape.Pixels][];
        for (var i = 0; i < bodies.Length; i++)
        {
            using var stream = new MemoryStream();
            NpyWriter.Write(stream, pixels.AsSpan(i * ImageShape.Pixels, ImageShape.Pixels), 1, 1, ImageShape.Side, ImageShape.Side);
            bodies[i] = stream.ToArray();
        }
        return bodies;
    }

    private sealed record LoadResult(int Completed, int Errors, string? FirstError, TimeSpan Wall, long[] Latencies)
    {
        public void Print(TextWriter output, LoadSettings settings)
        {
            Array.Sort(Latencies);
            string Ms(double quantile) => Latencies.Length == 0 ? "n/a"
                : (Latencies[Math.Min(Latencies.Length - 1, (int)Math.Ceiling(quantile * Latencies.Length) - 1)] * 1000.0 / Stopwatch.Frequency).ToString("0.00", CultureInfo.InvariantCulture);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"target       {settings.Url}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"requests     {Completed} of {settings.Requests} (single image, application/x-npy), concurrency {settings.Concurrency}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"errors       {Errors}{(FirstError is null ? "" : $" (first: {FirstError})")}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wall         {Wall.TotalSeconds:0.00} s"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"throughput   {Completed / Wall.TotalSeconds:0} requests/s"));
            output.WriteLine($"latency ms   p50 {Ms(0.50)}  p90 {Ms(0.90)}  p99 {Ms(0.99)}  max {Ms(1.0)}");
        }
    }
}
