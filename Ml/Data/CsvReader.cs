using System.Globalization;

namespace Distributed.Ml.Data;

/// <summary>Reads numeric CSV with a header row and an optional column named <c>label</c>.</summary>
public static class CsvReader
{
    private const string LabelColumn = "label";

    /// <summary>Reads the whole table.</summary>
    /// <exception cref="DataFormatException">Missing header, ragged rows, or values that are not numbers.</exception>
    public static CsvTable Read(TextReader reader)
    {
        var header = reader.ReadLine();
        if (string.IsNullOrWhiteSpace(header))
        {
            throw new DataFormatException("empty CSV: expected a header row");
        }
        var names = header.Split(',');
        var labelIndex = Array.FindIndex(names, n => string.Equals(n.Trim().Trim('"'), LabelColumn, StringComparison.OrdinalIgnoreCase));
        if (names.Any(n => double.TryParse(n, NumberStyles.Float, CultureInfo.InvariantCulture, out _)))
        {
            throw new DataFormatException("CSV has no header row (its first line is numeric); add a header such as label,pixel0,...,pixel783");
        }
        var columns = names.Length - (labelIndex >= 0 ? 1 : 0);
        var values = new List<float>();
        var labels = labelIndex >= 0 ? new List<int>() : null;
        var lineNumber = 1;
        string? line;
        while ((line = reader.ReadLine()) is not null)
        {
            lineNumber++;
            if (line.Length == 0)
            {
                continue;
            }
            var fields = line.Split(',');
            if (fields.Length != names.Length)
            {
                throw new DataFormatException($"line {lineNumber}: expected {names.Length} values, found {fields.Length}");
            }
            for (var c = 0; c < fields.Length; c++)
            {
                if (!double.TryParse(fields[c], NumberStyles.Float, CultureInfo.InvariantCulture, out var value))
                {
                    throw new DataFormatException($"line {lineNumber}, column '{names[c].Trim()}': '{fields[c]}' is not a number");
                }
                if (c == labelIndex)
                {
                    if (value != Math.Floor(value) || value < int.MinValue || value > int.MaxValue)
                    {
                        throw new DataFormatException($"line {lineNumber}: label '{fields[c]}' is not an integer");
                    }
                    labels!.Add((int)value);
                }
                else
                {
                    values.Add((float)value);
                }
            }
        }
        var rows = columns == 0 ? labels?.Count ?? 0 : values.Count / columns;
        return new CsvTable([.. values], rows, columns, labels?.ToArray());
    }
}
