namespace Distributed.Grains.Monitoring;

/// <summary>One label set of one instrument: a value, or histogram buckets with their sum and count. Thread-safe.</summary>
internal sealed class MetricSeries(string labels, double[]? bounds)
{
    private readonly Lock _gate = new();
    private readonly long[]? _buckets = bounds is null ? null : new long[bounds.Length + 1];
    private double _value;
    private long _count;

    /// <summary>Rendered label set, e.g. <c>endpoint="predict",status="200"</c>; empty for none.</summary>
    public string Labels { get; } = labels;

    public void Add(double value)
    {
        lock (_gate)
        {
            _value += value;
        }
    }

    public void Set(double value)
    {
        lock (_gate)
        {
            _value = value;
        }
    }

    /// <summary>Counts <paramref name="value"/> in the first bucket whose upper bound is at least the value (<c>le</c> is inclusive).</summary>
    public void Observe(double value)
    {
        if (double.IsNaN(value))
        {
            return;
        }
        var index = Array.BinarySearch(bounds!, value);
        if (index < 0)
        {
            index = ~index;
        }
        lock (_gate)
        {
            _buckets![index]++;
            _value += value;
            _count++;
        }
    }

    /// <summary>Current value (counters, gauges) or sum (histograms), with the histogram's per-bucket counts and total count.</summary>
    public (double Value, long[]? Buckets, long Count) Snapshot()
    {
        lock (_gate)
        {
            return (_value, (long[]?)_buckets?.Clone(), _count);
        }
    }
}
