using System.Collections.Concurrent;
using System.Diagnostics.Metrics;
using System.Globalization;
using System.Text;

namespace Distributed.Grains.Monitoring;

/// <summary>What the collector keeps for one instrument: its Prometheus name, type, buckets and series by label set.</summary>
internal sealed class InstrumentState
{
    /// <summary>Prometheus client defaults, for histograms in seconds that give no bucket advice.</summary>
    private static readonly double[] s_secondsBuckets = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10];

    /// <summary>OpenTelemetry SDK defaults, for other histograms that give no bucket advice.</summary>
    private static readonly double[] s_defaultBuckets = [0, 5, 10, 25, 50, 75, 100, 250, 500, 750, 1000, 2500, 5000, 7500, 10000];

    [ThreadStatic]
    private static StringBuilder? t_labelBuilder;

    private readonly KeyValuePair<string, object?>[] _instrumentTags;
    private ConcurrentDictionary<string, MetricSeries> _series = new(StringComparer.Ordinal);

    private InstrumentState(Instrument instrument, PrometheusMetricType type, bool setsValue)
    {
        Instrument = instrument;
        Type = type;
        SetsValue = setsValue;
        (Name, Scale) = PrometheusNames.MetricName(instrument.Name, instrument.Unit, type);
        Help = string.IsNullOrWhiteSpace(instrument.Description) ? instrument.Name : instrument.Description;
        _instrumentTags = instrument.Tags?.ToArray() ?? [];
        if (type == PrometheusMetricType.Histogram)
        {
            var advised = AdvisedBuckets(instrument);
            var bounds = advised ?? (Scale == 1 && Name.EndsWith("_seconds", StringComparison.Ordinal) ? s_secondsBuckets : s_defaultBuckets);
            Bounds = [.. bounds.Select(b => PrometheusNames.ToBaseUnit(b, Scale)).Order()];
        }
    }

    public Instrument Instrument { get; }

    public PrometheusMetricType Type { get; }

    /// <summary>Measurements replace the value (gauges, observable instruments) instead of adding to it.</summary>
    public bool SetsValue { get; }

    /// <summary>Family name without <c>_total</c>.</summary>
    public string Name { get; }

    public string Help { get; }

    /// <summary>Factor from the instrument's unit to the base unit in <see cref="Name"/> (see <see cref="PrometheusNames.ToBaseUnit"/>).</summary>
    public double Scale { get; }

    /// <summary>Bucket upper bounds in base units (histograms only).</summary>
    public double[]? Bounds { get; }

    /// <summary>State for an instrument of a kind the collector understands; null otherwise.</summary>
    public static InstrumentState? Create(Instrument instrument)
    {
        var type = instrument.GetType();
        var definition = type.IsGenericType ? type.GetGenericTypeDefinition() : null;
        return definition switch
        {
            _ when definition == typeof(Counter<>) => new InstrumentState(instrument, PrometheusMetricType.Counter, setsValue: false),
            _ when definition == typeof(ObservableCounter<>) => new InstrumentState(instrument, PrometheusMetricType.Counter, setsValue: true),
            _ when definition == typeof(UpDownCounter<>) => new InstrumentState(instrument, PrometheusMetricType.Gauge, setsValue: false),
            _ when definition == typeof(ObservableUpDownCounter<>) || definition == typeof(ObservableGauge<>) || definition == typeof(Gauge<>) =>
                new InstrumentState(instrument, PrometheusMetricType.Gauge, setsValue: true),
            _ when definition == typeof(Histogram<>) => new InstrumentState(instrument, PrometheusMetricType.Histogram, setsValue: false),
            _ => null,
        };
    }

    /// <summary>Drops the series of an observable instrument before a scrape observes it again, so vanished label sets (an old model version) disappear.</summary>
    public void ResetObservations() => _series = new ConcurrentDictionary<string, MetricSeries>(StringComparer.Ordinal);

    public IEnumerable<MetricSeries> Series => _series.Values;

    public void Record(double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var labels = LabelSet(tags);
        var series = _series.GetOrAdd(labels, static (key, bounds) => new MetricSeries(key, bounds), Bounds);
        var scaled = PrometheusNames.ToBaseUnit(value, Scale);
        if (Type == PrometheusMetricType.Histogram)
        {
            series.Observe(scaled);
        }
        else if (SetsValue)
        {
            series.Set(scaled);
        }
        else
        {
            series.Add(scaled);
        }
    }

    /// <summary>Measurement and instrument tags as a label set sorted by name, values escaped; later duplicates of a name are dropped.</summary>
    private string LabelSet(ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var count = tags.Length + _instrumentTags.Length;
        if (count == 0)
        {
            return "";
        }
        var labels = new (string Name, string Value)[count];
        for (var i = 0; i < tags.Length; i++)
        {
            labels[i] = (PrometheusNames.LabelName(tags[i].Key), LabelValue(tags[i].Value));
        }
        for (var i = 0; i < _instrumentTags.Length; i++)
        {
            labels[tags.Length + i] = (PrometheusNames.LabelName(_instrumentTags[i].Key), LabelValue(_instrumentTags[i].Value));
        }
        // Stable sort keeps the first of two tags that sanitise to the same label name.
        var sorted = labels.OrderBy(l => l.Name, StringComparer.Ordinal);
        var builder = t_labelBuilder ??= new StringBuilder();
        builder.Clear();
        string? previous = null;
        foreach (var (name, value) in sorted)
        {
            if (name == previous)
            {
                continue;
            }
            if (builder.Length > 0)
            {
                builder.Append(',');
            }
            builder.Append(name).Append("=\"");
            PrometheusTextFormat.AppendEscapedLabelValue(builder, value);
            builder.Append('"');
            previous = name;
        }
        return builder.ToString();
    }

    private static string LabelValue(object? value) => value switch
    {
        null => "",
        string text => text,
        bool flag => flag ? "true" : "false",
        IFormattable formattable => formattable.ToString(null, CultureInfo.InvariantCulture),
        _ => value.ToString() ?? "",
    };

    private static double[]? AdvisedBuckets(Instrument instrument) => instrument switch
    {
        Histogram<double> h => h.Advice?.HistogramBucketBoundaries?.ToArray(),
        Histogram<float> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<long> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        Histogram<int> h => h.Advice?.HistogramBucketBoundaries?.Select(b => (double)b).ToArray(),
        _ => null,
    };
}
