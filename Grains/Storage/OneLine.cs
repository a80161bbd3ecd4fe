using System.Globalization;
using System.Text;

namespace Distributed.Grains.Storage;

/// <summary>
/// Makes a message one printable line: a refusal quotes what it found in a damaged file, and the
/// file's newlines and control bytes must not break the product's one-line errors.
/// </summary>
public static class OneLine
{
    /// <summary><paramref name="text"/> with every control character written as <c>\xNN</c> (<c>\n</c>, <c>\r</c>, <c>\t</c> by name).</summary>
    public static string Of(string text)
    {
        ArgumentNullException.ThrowIfNull(text);
        if (!text.Any(char.IsControl))
        {
            return text;
        }
        var line = new StringBuilder(text.Length + 16);
        foreach (var c in text)
        {
            line.Append(c switch
            {
                '\n' => "\\n",
                '\r' => "\\r",
                '\t' => "\\t",
                _ when char.IsControl(c) => string.Create(CultureInfo.InvariantCulture, $"\\x{(int)c:x2}"),
                _ => c.ToString(),
            });
        }
        return line.ToString();
    }
}
