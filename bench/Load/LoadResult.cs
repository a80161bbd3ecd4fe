using System.Diagnostics;
using System.Globalization;

namespace Distributed.Bench.Load;

/// <summary>What a measured run did: requests finished (answered or failed), wall time and per-request latencies in <see cref="Stopwatch"/> ticks.</summary>
/// <param name="Completed">Requests finished, answered or failed.</param>
/// <param name="Wall">From the first request's start (or scheduled time) to the last answer.</param>
/// <param name="Latencies">Each finished request's latency.</param>
/// <param name="SendLags">Open loop only: how late each request left the client after its scheduled time.</param>
/// <param name="CapWaits">Open loop only: due requests that had to wait for a free slot under the outstanding cap.</param>
internal sealed record LoadResult(int Completed, TimeSpan Wall, long[] Latencies, long[]? SendLags, int CapWaits)
{
    /// <summary>Prints the run's figures; <paramref name="cpu"/> is the CPU both processes used over the measured run.</summary>
    public void Print(TextWriter output, LoadSettings settings, Exchanged exchanged, CpuUse cpu)
    {
        var format = LoadSettings.Formats.Single(f => f.Value == settings.Format).Key;
        var answered = Completed - exchanged.Errors;
        var images = (long)answered * settings.ImagesPerRequest;
        void Line(FormattableString text) => output.WriteLine(text.ToString(CultureInfo.InvariantCulture));
        Line($"target       {settings.Url}");
        Line($"requests     {Completed} of {settings.Requests} ({settings.ImagesPerRequest} uint8 image(s) each, {format}), {Loop(settings)}, {(settings.RawClient ? "raw HTTP/1.1 client" : "PredictorClient")}");
        if (settings.Rate is not null)
        {
            Line($"outstanding  at most {settings.MaxOutstanding}: {(CapWaits == 0 ? "never reached" : $"reached, {CapWaits} requests waited for a slot")}");
        }
        Line($"errors       {exchanged.Errors}{(exchanged.FirstError is null ? "" : $" (first: {exchanged.FirstError})")}");
        Line($"wall         {Wall.TotalSeconds:0.00} s");
        Line($"throughput   {Completed / Wall.TotalSeconds:0} requests/s");
        Line($"latency ms   {Percentiles(Latencies)}{(SendLags is null ? "" : " (from each request's scheduled send time)")}");
        if (SendLags is not null)
        {
            Line($"send lag ms  {Percentiles(SendLags)} (scheduled send time to the client starting the request)");
        }
        Line($"bytes        request body {exchanged.RequestBytes / (double)Math.Max(1, exchanged.Requests):0}, answer body {exchanged.AnswerBytes / (double)Math.Max(1, exchanged.Requests):0} (mean)");
        if (cpu.ServerSeconds is { } server)
        {
            Line($"server cpu   {Micro(server, answered)} µs/request  {Micro(server, images)} µs/image  ({server:0.00} s of pid {settings.ServerPid} over {answered} answered requests)");
        }
        else
        {
            Line($"server cpu   n/a (no --server-pid)");
        }
        Line($"client cpu   {Micro(cpu.ClientSeconds, answered)} µs/request  ({cpu.ClientSeconds:0.00} s, this load client)");
    }

    private static string Loop(LoadSettings settings) => settings.Rate is { } rate
        ? string.Create(CultureInfo.InvariantCulture, $"open loop at {rate:0} requests/s")
        : string.Create(CultureInfo.InvariantCulture, $"concurrency {settings.Concurrency}");

    private static string Micro(double seconds, long count) => count == 0 ? "n/a" : (seconds * 1e6 / count).ToString("0", CultureInfo.InvariantCulture);

    private static string Percentiles(long[] ticks)
    {
        var sorted = ticks.ToArray();
        Array.Sort(sorted);
        string Ms(double quantile) => sorted.Length == 0 ? "n/a"
            : (sorted[Math.Min(sorted.Length - 1, Math.Max(0, (int)Math.Ceiling(quantile * sorted.Length) - 1))] * 1000.0 / Stopwatch.Frequency).ToString("0.00", CultureInfo.InvariantCulture);
        return $"p50 {Ms(0.50)}  p90 {Ms(0.90)}  p99 {Ms(0.99)}  p99.9 {Ms(0.999)}  max {Ms(1.0)}";
    }
}

/// <summary>What a run's requests and answers were: failures (with the first one's message) and body bytes over the requests counted.</summary>
internal sealed record Exchanged(int Errors, string? FirstError, long Requests, long RequestBytes, long AnswerBytes);
