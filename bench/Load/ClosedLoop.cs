using System.Diagnostics;

namespace Distributed.Bench.Load;

/// <summary>
/// Closed loop: a fixed number of workers, each sending its next request when its previous answer
/// arrives. Measures peak throughput at that concurrency; its latencies leave out the requests a
/// slow answer held back (coordinated omission), which <see cref="OpenLoop"/> counts.
/// </summary>
internal static class ClosedLoop
{
    public static async Task<LoadResult> RunAsync(RequestSender sender, int requests, int concurrency, CancellationToken cancellationToken)
    {
        var latencies = new long[requests];
        var next = -1;
        var clock = Stopwatch.StartNew();
        var workers = Enumerable.Range(0, concurrency).Select(_ => Task.Run(async () =>
        {
            int index;
            while ((index = Interlocked.Increment(ref next)) < requests && !cancellationToken.IsCancellationRequested)
            {
                var started = Stopwatch.GetTimestamp();
                await sender.SendAsync(index, cancellationToken);
                latencies[index] = Stopwatch.GetTimestamp() - started;
            }
        })).ToArray();
        await Task.WhenAll(workers);
        var completed = Math.Min(requests, next);
        return new LoadResult(completed, clock.Elapsed, latencies.AsSpan(0, completed).ToArray(), SendLags: null, CapWaits: 0);
    }
}
