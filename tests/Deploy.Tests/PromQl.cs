using System.Text.Json;
using System.Text.RegularExpressions;

namespace Distributed.Deploy.Tests;

/// <summary>
/// PromQL as Grafana panels write it: syntax checked by promtool (the parser Prometheus itself
/// uses), metric names read off the expression.
/// </summary>
internal static partial class PromQl
{
    /// <summary>Grafana's interval macros, replaced by a duration so promtool can parse the expression.</summary>
    private static readonly string[] s_grafanaMacros = ["$__rate_interval", "$__interval", "$__range"];

    /// <summary>Words that stand between or beside metric names without being one.</summary>
    private static readonly HashSet<string> s_keywords = ["and", "or", "unless", "bool", "offset", "inf", "nan"];

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

    /// <summary>
    /// The metric names an expression selects: identifiers outside label matchers, range selectors,
    /// strings and grouping clauses that are neither a function call nor a keyword.
    /// </summary>
    public static IReadOnlySet<string> MetricNames(string expression)
    {
        var text = Strings().Replace(expression, "\"\"");
        text = Matchers().Replace(text, "{}");
        text = Ranges().Replace(text, "[]");
        text = Grouping().Replace(text, " ");
        return Identifiers().Matches(text)
            .Where(m => !FollowedByParenthesis(text, m.Index + m.Length) && !s_keywords.Contains(m.Value.ToLowerInvariant()))
            .Select(m => m.Value)
            .ToHashSet();
    }

    private static string WithoutMacros(string expression) =>
        s_grafanaMacros.Aggregate(expression, (text, macro) => text.Replace(macro, "5m", StringComparison.Ordinal));

    private static bool FollowedByParenthesis(string text, int index)
    {
        while (index < text.Length && char.IsWhiteSpace(text[index]))
        {
            index++;
        }
        return index < text.Length && text[index] == '(';
    }

    [GeneratedRegex("\"(?:[^\"\\\\]|\\\\.)*\"")]
    private static partial Regex Strings();

    [GeneratedRegex(@"\{[^}]*\}")]
    private static partial Regex Matchers();

    [GeneratedRegex(@"\[[^\]]*\]")]
    private static partial Regex Ranges();

    [GeneratedRegex(@"\b(by|without|on|ignoring|group_left|group_right)\s*\([^)]*\)")]
    private static partial Regex Grouping();

    // Not after a letter, digit or point: the exponent of 1e3 or the tail of 0.5 is no name.
    [GeneratedRegex(@"(?<![\w.])[a-zA-Z_:][a-zA-Z0-9_:]*")]
    private static partial Regex Identifiers();
}
