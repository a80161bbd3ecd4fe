using System.Text.RegularExpressions;

namespace Distributed.Deploy.Tests;

/// <summary>
/// The metric names a PromQL expression selects. Shared with the Grains tests (linked there), which
/// check the dashboard's names against a running silo's scrape.
/// </summary>
internal static partial class PromQlMetricNames
{
    /// <summary>Words that stand between or beside metric names without being one.</summary>
    private static readonly HashSet<string> s_keywords = ["and", "or", "unless", "bool", "offset", "inf", "nan"];

    /// <summary>
    /// The metric names an expression selects: identifiers outside label matchers, range selectors,
    /// strings and grouping clauses that are neither a function call nor a keyword.
    /// </summary>
    public static IReadOnlySet<string> Of(string expression)
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
