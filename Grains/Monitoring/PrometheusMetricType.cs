namespace Distributed.Grains.Monitoring;

/// <summary>Metric types of the Prometheus text exposition format that instruments map to.</summary>
public enum PrometheusMetricType
{
    /// <summary>Monotonic total (Counter, ObservableCounter); rendered with <c>_total</c>.</summary>
    Counter,

    /// <summary>Value that goes up and down (UpDownCounter, Gauge and the observable ones).</summary>
    Gauge,

    /// <summary>Bucketed distribution (Histogram): <c>_bucket{le=...}</c>, <c>_sum</c>, <c>_count</c>.</summary>
    Histogram,
}
