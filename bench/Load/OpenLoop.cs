using System.Diagnostics;
using System.Runtime.InteropServices;

namespace Distributed.Bench.Load;

/// <summary>
/// Open loop: requests arrive at a fixed rate on a schedule computed before the first is sent, each
/// sent at its time whatever the answers before it are doing, and each request's latency counts
/// from its scheduled send time. So time a request spends queued behind slow ones counts, as it
/// does for callers who arrive independently (no coordinated omission, as in wrk2).
/// </summary>
internal static partial class OpenLoop
{
    /// <summary>Longest single sleep of the dispatcher; it recomputes the remaining time after each.</summary>
    private const uint MaxSleepMicroseconds = 100_000;

    public static async Task<LoadResult> RunAsync(RequestSender sender, int requests, double rate, int maxOutstanding, CancellationToken cancellationToken)
    {
        var start = Stopwatch.GetTimestamp();
        var due = Schedule(start, requests, rate);
        var latencies = new long[requests];
        var sendLags = new long[requests];
        var sent = new Task[requests];
        var launched = 0;
        var capWaits = 0;
        using var slots = new SemaphoreSlim(maxOutstanding, maxOutstanding);
        async Task SendAsync(int index)
        {
            sendLags[index] = Stopwatch.GetTimestamp() - due[index];
            try
            {
                await sender.SendAsync(index, cancellationToken);
            }
            finally
            {
                latencies[index] = Stopwatch.GetTimestamp() - due[index];
                slots.Release();
            }
        }
        // A thread of its own that sleeps until each due time: timers and Task.Delay wake at
        // millisecond granularity, which at 1,000 requests/s would shift every send by up to an
        // interval. Each send runs on the thread pool so the dispatcher is back on time for the next.
        var dispatcher = new Thread(() =>
        {
            for (var i = 0; i < requests && !cancellationToken.IsCancellationRequested; i++)
            {
                SleepUntil(due[i]);
                if (!slots.Wait(0))
                {
                    capWaits++;
                    try
                    {
                        slots.Wait(cancellationToken);
                    }
                    catch (OperationCanceledException)
                    {
                        break;
                    }
                }
                var index = i;
                sent[i] = Task.Run(() => SendAsync(index));
                launched = i + 1;
            }
        }) { IsBackground = true, Name = "open-loop-dispatcher" };
        dispatcher.Start();
        dispatcher.Join();
        await Task.WhenAll(sent.AsSpan(0, launched).ToArray());
        var wall = Stopwatch.GetElapsedTime(start);
        return new LoadResult(launched, wall, latencies.AsSpan(0, launched).ToArray(), sendLags.AsSpan(0, launched).ToArray(), capWaits);
    }

    /// <summary>Each request's send time in <see cref="Stopwatch"/> ticks: request i at i/rate seconds after <paramref name="start"/>.</summary>
    public static long[] Schedule(long start, int requests, double rate)
    {
        var due = new long[requests];
        for (var i = 0; i < requests; i++)
        {
            due[i] = start + (long)Math.Round(i * Stopwatch.Frequency / rate);
        }
        return due;
    }

    /// <summary>Sleeps until <see cref="Stopwatch.GetTimestamp"/> reaches <paramref name="due"/> (returns at once if it has).</summary>
    public static void SleepUntil(long due)
    {
        while (true)
        {
            var microseconds = (due - Stopwatch.GetTimestamp()) * 1_000_000 / Stopwatch.Frequency;
            if (microseconds <= 0)
            {
                return;
            }
            // usleep(3) wakes within the kernel's timer slack (50 µs by default) of the time asked for.
            _ = usleep((uint)Math.Min(microseconds, MaxSleepMicroseconds));
        }
    }

    [LibraryImport("libc", SetLastError = false)]
    private static partial int usleep(uint microseconds);
}
