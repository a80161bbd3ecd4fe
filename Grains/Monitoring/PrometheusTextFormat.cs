using System.Globalization;
using System.Text;

namespace Distributed.Grains.Monitoring;

/// <summary>
/// Writes the Prometheus text exposition format, version 0.0.4: <c># HELP</c> and <c># TYPE</c> once
/// per family, then one line per sample. See prometheus.io/docs/instrumenting/exposition_formats.
/// </summary>
public static class PrometheusTextFormat
{
    /// <summary>Content type of a scrape answer.</summary>
    public const string ContentType = "text/plain; version=0.0.4; charset=utf-8";

    /// <summary>Writes one family; <paramref name="name"/> is the base name (counters get <c>_total</c> here).</summary>
    internal static void WriteFamily(StringBuilder output, string name, string help, PrometheusMetricType type, double[]? bounds, IEnumerable<MetricSeries> series)
    {
        var familyName = type == PrometheusMetricType.Counter ? name + "_total" : name;
        output.Append("# HELP ").Append(familyName).Append(' ');
        AppendEscapedHelp(output, help);
        output.Append('\n');
        output.Append("# TYPE ").Append(familyName).Append(' ').Append(type switch
        {
            PrometheusMetricType.Counter => "counter",
            PrometheusMetricType.Gauge => "gauge",
            _ => "histogram",
        }).Append('\n');
        foreach (var one in series.OrderBy(s => s.Labels, StringComparer.Ordinal))
        {
            var (value, buckets, count) = one.Snapshot();
            if (type != PrometheusMetricType.Histogram)
            {
                AppendSample(output, familyName, one.Labels, null, value);
                continue;
            }
            long cumulative = 0;
            for (var i = 0; i < bounds!.Length; i++)
            {
                cumulative += buckets![i];
                AppendSample(output, name + "_bucket", one.Labels, Number(bounds[i]), cumulative);
            }
            AppendSample(output, name + "_bucket", one.Labels, "+Inf", count);
            AppendSample(output, name + "_sum", one.Labels, null, value);
            AppendSample(output, name + "_count", one.Labels, null, count);
        }
    }

    /// <summary>A sample value or <c>le</c> bound: shortest round-trip decimal, or <c>+Inf</c>, <c>-Inf</c>, <c>NaN</c>.</summary>
    public static string Number(double value) =>
        double.IsNaN(value) ? "NaN"
        : double.IsPositiveInfinity(value) ? "+Inf"
        : double.IsNegativeInfinity(value) ? "-Inf"
        : value.ToString("R", CultureInfo.InvariantCulture);

    /// <summary>Escapes a label value: backslash, double quote and line feed.</summary>
    public static void AppendEscapedLabelValue(StringBuilder output, string value)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(value);
        foreach (var c in value)
        {
            _ = c switch
            {
                '\\' => output.Append("\\\\"),
                '"' => output.Append("\\\""),
                '\n' => output.Append("\\n"),
                _ => output.Append(c),
            };
        }
    }

    /// <summary>Escapes help text: backslash and line feed.</summary>
    public static void AppendEscapedHelp(StringBuilder output, string help)
    {
        ArgumentNullException.ThrowIfNull(output);
        ArgumentNullException.ThrowIfNull(help);
        foreach (var c in help)
        {
            _ = c switch
            {
                '\\' => output.Append("\\\\"),
                '\n' => output.Append("\\n"),
                _ => output.Append(c),
            };
        }
    }

    private static void AppendSample(StringBuilder output, string name, string labels, string? le, double value)
    {
        output.Append(name);
        if (labels.Length > 0 || le is not null)
        {
            output.Append('{').Append(labels);
            if (le is not null)
            {
                output.Append(labels.Length > 0 ? ",le=\"" : "le=\"").Append(le).Append('"');
            }
            output.Append('}');
        }
        output.Append(' ').Append(Number(value)).Append('\n');
    }
}
