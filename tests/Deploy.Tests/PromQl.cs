using System.Text.Json;

namespace Distributed.Deploy.Tests;

/// <summary>
/// PromQL as Grafana panels write it: syntax checked by promtool (the parser Prometheus itself
/// uses). <see cref="PromQlMetricNames"/> reads the metric names off an expression.
/// </summary>
internal static partial class PromQl
{
    /// <summary>Grafana's interval macros, replaced by a duration so promtool can parse the expression.</summary>
    private static readonly string[] s_grafanaMacros = ["$__rate_interval", "$__interval", "$__range"];

    /// <summary>
    /// Runs <c>promtool check rules</c> over the expressions, each as a recording rule, and returns
    /// its verdict: exit code and output naming the expression that does not parse.
    /// </summary>
    public static (bool Valid, string Output) Check(IReadOnlyList<string> expressions)
    {
        var file = Path.Combine(Path.GetTempPath(), $"labeller-dashboard-{Guid.NewGuid():N}.rules.yml");
        try
        {
            // A JSON string is a valid YAML double-quoted scalar, so any expression survives unescaped.
            var rules = expressions.Select((e, i) => $"      - record: dashboard_query_{i}\n        expr: {JsonSerializer.Serialize(WithoutMacros(e))}\n");
            File.WriteAllText(file, "groups:\n  - name: dashboard\n    rules:\n" + string.Concat(rules));
            var (exitCode, output, error) = Tool.Run("promtool", ["check", "rules", file]);
            return (exitCode == 0, output + error);
        }
        finally
        {
            File.Delete(file);
        }
    }

    private static string WithoutMacros(string expression) =>
        s_grafanaMacros.Aggregate(expression, (text, macro) => text.Replace(macro, "5m", StringComparison.Ordinal));
}
