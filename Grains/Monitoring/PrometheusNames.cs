using System.Text;

namespace Distributed.Grains.Monitoring;

/// <summary>
/// Maps System.Diagnostics.Metrics names and units to Prometheus metric and label names, the way
/// the OpenTelemetry Prometheus exporter does: invalid characters become underscores, the unit in
/// its base form (seconds, bytes) is appended, and counters end in <c>_total</c> when rendered.
/// </summary>
public static class PrometheusNames
{
    /// <summary>
    /// Family name (without <c>_total</c>) and the factor that converts recorded values to the unit the
    /// name says; a negative factor means "divide by its magnitude" (see <see cref="ToBaseUnit"/>).
    /// </summary>
    public static (string Name, double Scale) MetricName(string instrumentName, string? unit, PrometheusMetricType type)
    {
        ArgumentNullException.ThrowIfNull(instrumentName);
        var name = Sanitize(instrumentName, allowColon: true);
        if (type == PrometheusMetricType.Counter && name.EndsWith("_total", StringComparison.Ordinal) && name.Length > "_total".Length)
        {
            name = name[..^"_total".Length];
        }
        var (suffix, scale) = UnitSuffix(unit, type);
        if (suffix.Length > 0 && !name.EndsWith("_" + suffix, StringComparison.Ordinal) && name != suffix)
        {
            name = $"{name}_{suffix}";
        }
        return (name, scale);
    }

    /// <summary>Applies a scale from <see cref="MetricName"/>: multiplies by a positive one, divides by the magnitude of a negative one.</summary>
    public static double ToBaseUnit(double value, double scale) => scale < 0 ? value / -scale : value * scale;

    /// <summary>A valid label name: letters, digits and underscores, not starting with a digit.</summary>
    public static string LabelName(string key) => Sanitize(key, allowColon: false);

    /// <summary>Unit suffix in Prometheus' base units, and the factor to get there (e.g. ms → seconds, 0.001).</summary>
    internal static (string Suffix, double Scale) UnitSuffix(string? unit, PrometheusMetricType type)
    {
        if (string.IsNullOrWhiteSpace(unit))
        {
            return ("", 1);
        }
        var text = StripAnnotations(unit).Trim();
        if (text.Length == 0)
        {
            return ("", 1);
        }
        if (text == "1")
        {
            // UCUM's dimensionless unit: a ratio for gauges, nothing for counts.
            return (type == PrometheusMetricType.Gauge ? "ratio" : "", 1);
        }
        var slash = text.IndexOf('/', StringComparison.Ordinal);
        if (slash >= 0)
        {
            var (numerator, scale) = slash == 0 ? ("", 1.0) : BaseUnit(text[..slash]);
            var perUnit = PerUnit(text[(slash + 1)..]);
            return (numerator.Length == 0 ? $"per_{perUnit}" : $"{numerator}_per_{perUnit}", scale);
        }
        return BaseUnit(text);
    }

    private static (string Word, double Scale) BaseUnit(string unit) => unit switch
    {
        "s" => ("seconds", 1),
        // Negative factors divide (see ToBaseUnit): 1e-3 is not exact in binary, 1000 is.
        "ms" => ("seconds", -1e3),
        "us" or "μs" => ("seconds", -1e6),
        "ns" => ("seconds", -1e9),
        "min" => ("minutes", 1),
        "h" => ("hours", 1),
        "d" => ("days", 1),
        "By" => ("bytes", 1),
        "KiBy" => ("bytes", 1024),
        "MiBy" => ("bytes", 1024 * 1024),
        "GiBy" => ("bytes", 1024.0 * 1024 * 1024),
        "%" => ("percent", 1),
        "Hz" => ("hertz", 1),
        _ => (Sanitize(unit, allowColon: false).Trim('_'), 1),
    };

    private static string PerUnit(string unit) => unit switch
    {
        "s" => "second",
        "min" => "minute",
        "h" => "hour",
        "d" => "day",
        _ => Sanitize(unit, allowColon: false).Trim('_'),
    };

    private static string StripAnnotations(string unit)
    {
        var builder = new StringBuilder(unit.Length);
        var depth = 0;
        foreach (var c in unit)
        {
            if (c == '{')
            {
                depth++;
            }
            else if (c == '}' && depth > 0)
            {
                depth--;
            }
            else if (depth == 0)
            {
                builder.Append(c);
            }
        }
        return builder.ToString();
    }

    /// <summary>Replaces invalid characters by '_', collapses repeated underscores and avoids a leading digit.</summary>
    private static string Sanitize(string text, bool allowColon)
    {
        var builder = new StringBuilder(text.Length + 1);
        foreach (var c in text)
        {
            var valid = char.IsAsciiLetterOrDigit(c) || c == '_' || (allowColon && c == ':');
            var next = valid ? c : '_';
            if (next == '_' && builder.Length > 0 && builder[^1] == '_')
            {
                continue;
            }
            builder.Append(next);
        }
        if (builder.Length == 0 || char.IsAsciiDigit(builder[0]))
        {
            builder.Insert(0, '_');
        }
        return builder.ToString();
    }
}
