using System.Diagnostics.Metrics;
using Prometheus;

namespace Distributed.Grains.Monitoring;

/// <summary>
/// This host's Prometheus registry: the product's metrics (created through <see cref="Factory"/>),
/// process and runtime metrics (prometheus-net's <see cref="DotNetStats"/>), and Orleans' meter
/// <see cref="OrleansMeterName"/> through prometheus-net's meter adapter. A registry per host rather
/// than prometheus-net's static default one, so that two hosts in one process (tests, or a silo and a
/// server side by side) each export their own figures; the adapter takes only the Orleans meter that
/// this host's <see cref="IMeterFactory"/> created, for the same reason.
/// </summary>
public sealed class HostMetrics : IDisposable
{
    /// <summary>The meter Orleans' runtime instruments live on (activations, messages, request latency, ...).</summary>
    public const string OrleansMeterName = "Microsoft.Orleans";

    /// <summary>
    /// Buckets for Orleans' histograms in milliseconds (<c>orleans-app-requests-latency</c>, activation
    /// and storage latency): grain calls inside a silo take tens of microseconds, calls that train or
    /// encode a shard take minutes.
    /// </summary>
    public static readonly double[] MillisecondBuckets = [0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 25, 50, 100, 250, 500, 1000, 2500, 5000, 10000, 30000, 60000, 300000];

    /// <summary>Buckets for Orleans' message size histograms in bytes: 64 B pings to 64 MiB messages.</summary>
    public static readonly double[] ByteBuckets = Histogram.ExponentialBuckets(64, 4, 11);

    /// <summary>
    /// How long an Orleans series that stops changing stays exported. The adapter's default (5 minutes)
    /// would make an idle cluster's latency histograms vanish between jobs; Orleans' label sets are small
    /// and fixed, so an hour costs nothing.
    /// </summary>
    private static readonly TimeSpan s_orleansSeriesLifetime = TimeSpan.FromHours(1);

    private readonly IDisposable _orleansAdapter;

    /// <summary>Creates the registry and starts exporting process, runtime and Orleans metrics.</summary>
    /// <param name="meterFactory">The host's meter factory: Orleans creates its meter through it.</param>
    public HostMetrics(IMeterFactory meterFactory)
    {
        ArgumentNullException.ThrowIfNull(meterFactory);
        Registry = Metrics.NewCustomRegistry();
        Factory = Metrics.WithCustomRegistry(Registry);
        DotNetStats.Register(Registry);
        _orleansAdapter = MeterAdapter.StartListening(new MeterAdapterOptions
        {
            Registry = Registry,
            MetricFactory = Factory,
            InstrumentFilterPredicate = instrument => IsOrleansMeterOf(instrument.Meter, meterFactory),
            ResolveHistogramBuckets = BucketsFor,
            MetricsExpireAfter = s_orleansSeriesLifetime,
        });
    }

    /// <summary>The registry <c>/metrics</c> renders.</summary>
    public CollectorRegistry Registry { get; }

    /// <summary>Creates the product's metrics in <see cref="Registry"/>.</summary>
    public IMetricFactory Factory { get; }

    /// <summary>Stops listening to the Orleans meter.</summary>
    public void Dispose() => _orleansAdapter.Dispose();

    private static bool IsOrleansMeterOf(Meter meter, IMeterFactory meterFactory) =>
        meter.Name == OrleansMeterName && ReferenceEquals(meter.Scope, meterFactory);

    private static double[] BucketsFor(Instrument instrument) => instrument.Unit switch
    {
        "ms" => MillisecondBuckets,
        "By" or "bytes" => ByteBuckets,
        _ => MeterAdapterOptions.DefaultHistogramBuckets,
    };
}
