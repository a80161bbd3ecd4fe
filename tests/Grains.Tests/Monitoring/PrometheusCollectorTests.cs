using System.Diagnostics.Metrics;
using Distributed.Grains.Monitoring;

namespace Distributed.Grains.Tests.Monitoring;

/// <summary>Known-answer renderings of the exporter: names, units, types, buckets, labels and escaping.</summary>
public sealed class PrometheusCollectorTests : IDisposable
{
    private readonly object _scope = new();
    private readonly Meter _meter;
    private readonly PrometheusCollector _collector;

    public PrometheusCollectorTests()
    {
        _meter = new Meter(new MeterOptions("Test.Known") { Scope = _scope });
        _collector = new PrometheusCollector(["Test.Known"], _scope);
    }

    public void Dispose()
    {
        _collector.Dispose();
        _meter.Dispose();
    }

    [Fact]
    public void CounterWithEscapedLabelAndHelp()
    {
        var counter = _meter.CreateCounter<long>("test.requests", "{request}", "Requests \\ handled.\nSecond line");
        counter.Add(3, new KeyValuePair<string, object?>("path", "/a\"b\\c\nd"));
        counter.Add(2, new KeyValuePair<string, object?>("path", "/a\"b\\c\nd"));
        counter.Add(1, new KeyValuePair<string, object?>("path", "/plain"));
        Assert.Equal(
            """
            # HELP test_requests_total Requests \\ handled.\nSecond line
            # TYPE test_requests_total counter
            test_requests_total{path="/a\"b\\c\nd"} 5
            test_requests_total{path="/plain"} 1

            """.ReplaceLineEndings("\n"),
            _collector.Scrape());
    }

    [Fact]
    public void HistogramWithLabelsAndAdvisedBuckets()
    {
        var histogram = _meter.CreateHistogram("test.latency", "s", "Latency.", advice: new InstrumentAdvice<double> { HistogramBucketBoundaries = [0.5, 1, 4] });
        foreach (var value in new[] { 0.25, 0.5, 2, 8 })
        {
            histogram.Record(value, new("method", "GET"), new("code", 200));
        }
        histogram.Record(1, new KeyValuePair<string, object?>("method", "POST"), new("code", 201));
        Assert.Equal(
            """
            # HELP test_latency_seconds Latency.
            # TYPE test_latency_seconds histogram
            test_latency_seconds_bucket{code="200",method="GET",le="0.5"} 2
            test_latency_seconds_bucket{code="200",method="GET",le="1"} 2
            test_latency_seconds_bucket{code="200",method="GET",le="4"} 3
            test_latency_seconds_bucket{code="200",method="GET",le="+Inf"} 4
            test_latency_seconds_sum{code="200",method="GET"} 10.75
            test_latency_seconds_count{code="200",method="GET"} 4
            test_latency_seconds_bucket{code="201",method="POST",le="0.5"} 0
            test_latency_seconds_bucket{code="201",method="POST",le="1"} 1
            test_latency_seconds_bucket{code="201",method="POST",le="4"} 1
            test_latency_seconds_bucket{code="201",method="POST",le="+Inf"} 1
            test_latency_seconds_sum{code="201",method="POST"} 1
            test_latency_seconds_count{code="201",method="POST"} 1

            """.ReplaceLineEndings("\n"),
            _collector.Scrape());
    }

    [Fact]
    public void GaugesUnitsAndNames()
    {
        _meter.CreateObservableGauge("test.memory", () => 1536L, "KiBy", "Memory.");
        _meter.CreateObservableGauge("test.progress", () => 0.25, "1", "Progress.");
        _meter.CreateObservableCounter("test.cpu.time", () => 1.5, "s", "CPU.");
        var queue = _meter.CreateUpDownCounter<int>("test.queue-depth", "{item}", "Queue.");
        queue.Add(5);
        queue.Add(-2);
        var gauge = _meter.CreateGauge<double>("2xx.rate", "{image}/s", "Rate.");
        gauge.Record(10);
        gauge.Record(12.5);
        Assert.Equal(
            """
            # HELP _2xx_rate_per_second Rate.
            # TYPE _2xx_rate_per_second gauge
            _2xx_rate_per_second 12.5
            # HELP test_cpu_time_seconds_total CPU.
            # TYPE test_cpu_time_seconds_total counter
            test_cpu_time_seconds_total 1.5
            # HELP test_memory_bytes Memory.
            # TYPE test_memory_bytes gauge
            test_memory_bytes 1572864
            # HELP test_progress_ratio Progress.
            # TYPE test_progress_ratio gauge
            test_progress_ratio 0.25
            # HELP test_queue_depth Queue.
            # TYPE test_queue_depth gauge
            test_queue_depth 3

            """.ReplaceLineEndings("\n"),
            _collector.Scrape());
    }

    [Fact]
    public void MillisecondsBecomeSecondsAndDefaultBucketsAreScaled()
    {
        var histogram = _meter.CreateHistogram<double>("test.wait", "ms");
        histogram.Record(7);
        var text = _collector.Scrape();
        Assert.Contains("# TYPE test_wait_seconds histogram\n", text);
        Assert.Contains("test_wait_seconds_bucket{le=\"0.005\"} 0\n", text);
        Assert.Contains("test_wait_seconds_bucket{le=\"0.01\"} 1\n", text);
        Assert.Contains("test_wait_seconds_count 1\n", text);
        Assert.Contains("# HELP test_wait_seconds test.wait\n", text);
    }

    [Fact]
    public void ObservedSeriesThatVanishAreNotExportedAgain()
    {
        var version = "a";
        _meter.CreateObservableGauge("test.info", () => new Measurement<int>(1, new KeyValuePair<string, object?>("version", version)));
        Assert.Contains("test_info{version=\"a\"} 1\n", _collector.Scrape());
        version = "b";
        var text = _collector.Scrape();
        Assert.Contains("test_info{version=\"b\"} 1\n", text);
        Assert.DoesNotContain("version=\"a\"", text);
    }

    [Fact]
    public void OnlyMetersOfThePrefixesAndOfThisScopeAreExported()
    {
        using var child = new Meter(new MeterOptions("Test.Known.Child") { Scope = _scope });
        using var lookalike = new Meter(new MeterOptions("Test.KnownOther") { Scope = _scope });
        using var foreign = new Meter(new MeterOptions("Test.Known") { Scope = new object() });
        using var global = new Meter("Test.Known.Global");
        child.CreateCounter<int>("child.events").Add(1);
        lookalike.CreateCounter<int>("lookalike.events").Add(1);
        foreign.CreateCounter<int>("foreign.events").Add(1);
        global.CreateCounter<int>("global.events").Add(1);
        var text = _collector.Scrape();
        Assert.Contains("child_events_total 1\n", text);
        Assert.Contains("global_events_total 1\n", text);
        Assert.DoesNotContain("lookalike", text);
        Assert.DoesNotContain("foreign", text);
    }

    [Fact]
    public void DefaultPrefixesExportTheProductsMetersOnly()
    {
        var scope = new object();
        using var collector = new PrometheusCollector(new MonitoringOptions().MeterPrefixes, scope);
        using var product = new Meter(new MeterOptions("Distributed.Jobs") { Scope = scope });
        using var aspNet = new Meter(new MeterOptions("Microsoft.AspNetCore.Hosting") { Scope = scope });
        product.CreateCounter<long>("jobs.started", "{job}").Add(4, new KeyValuePair<string, object?>("role", "coordinator"));
        aspNet.CreateCounter<long>("http.server.requests").Add(1);
        var text = collector.Scrape();
        Assert.Contains("jobs_started_total{role=\"coordinator\"} 4\n", text);
        Assert.DoesNotContain("http_server", text);
    }

    [Fact]
    public void DisposedMetersDisappear()
    {
        var meter = new Meter(new MeterOptions("Test.Known.Short") { Scope = _scope });
        meter.CreateCounter<int>("short.lived").Add(1);
        Assert.Contains("short_lived_total 1\n", _collector.Scrape());
        meter.Dispose();
        Assert.DoesNotContain("short_lived", _collector.Scrape());
    }
}
