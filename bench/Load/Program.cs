using Distributed.Ml.Data;
using Distributed.Predictor.Client;

namespace Distributed.Bench.Load;

/// <summary>
/// A bounded load run against a running predictor (<c>serve</c> or a Silo with a model): a fixed number
/// of requests of uint8 images (one each by default) in one wire format (.npy by default), either in a
/// closed loop at a fixed concurrency or in an open loop at a fixed arrival rate (<c>--rate</c>), then
/// errors, latency percentiles, requests/s, bytes per request and answer, and the CPU time the server
/// (<c>--server-pid</c>) and this client spent per request and per image. Each request is encoded and
/// its answer decoded by <see cref="PredictorClient"/>, as a caller would, so a format's client-side
/// cost counts too. Stops at the request count or the deadline, whichever comes first.
/// </summary>
internal static class Program
{
    private static async Task<int> Main(string[] args)
    {
        var settings = LoadSettings.Parse(args);
        if (settings is null)
        {
            Console.Error.WriteLine("usage: Distributed.Bench.Load --url http://127.0.0.1:5080/ [--images test-images.npy] [--requests 20000] [--concurrency 32] [--warmup 1000] [--deadline-s 300] [--format npy|json|msgpack] [--images-per-request 1] [--rate <requests/s> [--max-outstanding 1024] [--client predictor|raw]] [--server-pid <pid>]  (--client raw: plain HTTP/1.1 for the open loop, .npy only)");
            return 2;
        }
        try
        {
            // A wrong --server-pid is found here, before the warm-up, not after it.
            CpuUse.Now(settings.ServerPid);
        }
        catch (IOException e)
        {
            Console.Error.WriteLine($"error: --server-pid: {e.Message}");
            return 1;
        }
        var requests = RequestImages(settings.ImagesPath, settings.ImagesPerRequest);
        // The open loop may have up to its cap in flight, each on a connection of its own.
        var connections = settings.Rate is null ? settings.Concurrency : Math.Max(settings.Concurrency, settings.MaxOutstanding);
        using var sockets = new SocketsHttpHandler { MaxConnectionsPerServer = connections, PooledConnectionLifetime = Timeout.InfiniteTimeSpan };
        var bytes = new ByteCounter { InnerHandler = sockets };
        using var http = new HttpClient(bytes) { BaseAddress = settings.Url, Timeout = TimeSpan.FromSeconds(30) };
        var client = new PredictorClient(http, settings.Format);
        if (!await client.IsHealthyAsync())
        {
            Console.Error.WriteLine($"error: {settings.Url} has no model loaded (/health is 503)");
            return 1;
        }
        var sender = new RequestSender(client, requests);
        using var deadline = new CancellationTokenSource(settings.Deadline);
        // Warm-up: JIT, connection pool and caches; not measured, in the closed loop for either loop.
        await ClosedLoop.RunAsync(sender, settings.Warmup, settings.Concurrency, deadline.Token);
        bytes.Reset();
        sender.Reset();
        if (settings is { RawClient: true, Rate: { } rawRate })
        {
            return RunRaw(settings, requests, rawRate);
        }
        var cpuBefore = CpuUse.Now(settings.ServerPid);
        var result = settings.Rate is { } rate
            ? await OpenLoop.RunAsync(sender, settings.Requests, rate, settings.MaxOutstanding, deadline.Token)
            : await ClosedLoop.RunAsync(sender, settings.Requests, settings.Concurrency, deadline.Token);
        var cpu = CpuUse.Now(settings.ServerPid).Since(cpuBefore);
        var exchanged = new Exchanged(sender.Errors, sender.FirstError, bytes.Requests, bytes.RequestBytes, bytes.AnswerBytes);
        result.Print(Console.Out, settings, exchanged, cpu);
        return exchanged.Errors == 0 && result.Completed == settings.Requests ? 0 : 1;
    }

    /// <summary>
    /// The open loop over <see cref="RawOpenLoop"/>: after the closed-loop warm-up of the server, the
    /// warm-up's count again through the raw connections at the measured rate (their code and
    /// connections warm too), then the measured run.
    /// </summary>
    private static int RunRaw(LoadSettings settings, ReadOnlyMemory<byte>[] requests, double rate)
    {
        var bodies = requests.Select(pixels => (ReadOnlyMemory<byte>)PredictorClient.NpyPixelsBody(pixels.Span)).ToArray();
        using var loop = new RawOpenLoop(settings.Url, bodies, settings.ImagesPerRequest, settings.MaxOutstanding);
        if (settings.Warmup > 0)
        {
            loop.Run(settings.Warmup, rate, settings.Deadline);
        }
        var cpuBefore = CpuUse.Now(settings.ServerPid);
        var result = loop.Run(settings.Requests, rate, settings.Deadline);
        var cpu = CpuUse.Now(settings.ServerPid).Since(cpuBefore);
        result.Print(Console.Out, settings, loop.Exchanged, cpu);
        return loop.Exchanged.Errors == 0 && result.Completed == settings.Requests ? 0 : 1;
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
}
