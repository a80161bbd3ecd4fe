using System.Diagnostics;
using System.Diagnostics.Metrics;

namespace Distributed.Grains.Monitoring;

/// <summary>
/// Process and runtime gauges under the names Prometheus' own client libraries use
/// (<c>process_cpu_seconds_total</c>, <c>process_resident_memory_bytes</c>, ...), meter <see cref="MeterName"/>.
/// </summary>
public sealed class ProcessMetrics
{
    /// <summary>Name of the meter.</summary>
    public const string MeterName = "Distributed.Process";

    /// <summary>Creates the observable instruments; they are read at each scrape.</summary>
    public ProcessMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        var meter = meterFactory.Create(MeterName);
        var startTime = new DateTimeOffset(Process.GetCurrentProcess().StartTime.ToUniversalTime()).ToUnixTimeMilliseconds() / 1000.0;
        meter.CreateObservableCounter("process.cpu", () => Environment.CpuUsage.TotalTime.TotalSeconds, "s",
            "Total user and system CPU time spent by the process.");
        meter.CreateObservableGauge("process.resident_memory", () => Environment.WorkingSet, "By",
            "Resident memory (working set) of the process.");
        meter.CreateObservableGauge("process.start_time", () => startTime, "s",
            "Start time of the process since the Unix epoch.");
        meter.CreateObservableGauge("dotnet.gc.heap", () => GC.GetTotalMemory(forceFullCollection: false), "By",
            "Bytes allocated on the managed heap and not yet known to be free.");
        meter.CreateObservableCounter("dotnet.gc.collections", CollectionsByGeneration, "{collection}",
            "Garbage collections since the process started, by generation.");
        meter.CreateObservableGauge("dotnet.threadpool.threads", () => ThreadPool.ThreadCount, "{thread}",
            "Threads in the .NET thread pool.");
        meter.CreateObservableGauge("dotnet.threadpool.queue.length", () => ThreadPool.PendingWorkItemCount, "{work_item}",
            "Work items queued to the .NET thread pool and not started yet.");
    }

    private static IEnumerable<Measurement<long>> CollectionsByGeneration()
    {
        for (var generation = 0; generation <= GC.MaxGeneration; generation++)
        {
            yield return new Measurement<long>(GC.CollectionCount(generation),
                new KeyValuePair<string, object?>("generation", $"gen{generation}"));
        }
    }
}
