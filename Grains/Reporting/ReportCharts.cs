using ScottPlot;

namespace Distributed.Grains.Reporting;

/// <summary>The report's charts as PNG (ScottPlot): the same data gives the same bytes.</summary>
internal static class ReportCharts
{
    private const int Width = 720;
    private const int Height = 420;

    /// <summary>Colours of up to 10 groups (Category10); more groups cycle through them.</summary>
    private static readonly IPalette s_palette = new ScottPlot.Palettes.Category10();

    /// <summary>Points coloured by group (a cluster or a label), one legend entry per group; −1 (noise) in grey.</summary>
    public static byte[] Scatter(string title, float[] xs, float[] ys, int[] groups, Func<int, string> groupName)
    {
        var plot = new Plot();
        foreach (var group in groups.Distinct().Order())
        {
            var members = Enumerable.Range(0, groups.Length).Where(i => groups[i] == group).ToArray();
            var points = plot.Add.ScatterPoints(members.Select(i => (double)xs[i]).ToArray(), members.Select(i => (double)ys[i]).ToArray());
            points.MarkerSize = 2;
            points.Color = group < 0 ? Colors.Gray.WithAlpha(0.5) : s_palette.GetColor(group);
            points.LegendText = groupName(group);
        }
        plot.Title(title);
        plot.Legend.IsVisible = true;
        plot.Legend.Alignment = Alignment.UpperRight;
        plot.HideGrid();
        return Png(plot, Width, 560);
    }

    /// <summary>A line per series, e.g. the autoencoder's loss per epoch.</summary>
    public static byte[] Line(string title, string xLabel, string yLabel, double[] values)
    {
        var plot = new Plot();
        var line = plot.Add.ScatterLine(Enumerable.Range(1, values.Length).Select(i => (double)i).ToArray(), values);
        line.MarkerSize = 4;
        plot.Title(title);
        plot.XLabel(xLabel);
        plot.YLabel(yLabel);
        return Png(plot, Width, Height);
    }

    /// <summary>One bar per named value; the highlighted ones (e.g. noise) in grey.</summary>
    public static byte[] Bars(string title, string yLabel, IReadOnlyList<(string Name, double Value, bool Highlight)> bars)
    {
        var plot = new Plot();
        var items = bars.Select((bar, i) => new Bar
        {
            Position = i,
            Value = bar.Value,
            FillColor = bar.Highlight ? Colors.Gray : s_palette.GetColor(0),
            Label = FormatValue(bar.Value),
        }).ToArray();
        var plotted = plot.Add.Bars(items);
        plotted.ValueLabelStyle.FontSize = 10;
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, bars.Count).Select(i => (double)i)], [.. bars.Select(b => b.Name)]);
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        plot.YLabel(yLabel);
        return Png(plot, Width, Height);
    }

    /// <summary>Two bars per name side by side (before and after), e.g. class counts around rebalancing.</summary>
    public static byte[] PairedBars(string title, string first, string second, IReadOnlyList<(string Name, double First, double Second)> pairs)
    {
        var plot = new Plot();
        var bars = new List<Bar>();
        for (var i = 0; i < pairs.Count; i++)
        {
            bars.Add(new Bar { Position = i * 3, Value = pairs[i].First, FillColor = s_palette.GetColor(0) });
            bars.Add(new Bar { Position = i * 3 + 1, Value = pairs[i].Second, FillColor = s_palette.GetColor(1) });
        }
        plot.Add.Bars(bars);
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, pairs.Count).Select(i => i * 3 + 0.5)], [.. pairs.Select(p => p.Name)]);
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = first, FillColor = s_palette.GetColor(0) });
        plot.Legend.ManualItems.Add(new LegendItem { LabelText = second, FillColor = s_palette.GetColor(1) });
        plot.Legend.IsVisible = true;
        plot.Axes.Margins(bottom: 0);
        plot.Title(title);
        return Png(plot, Width, Height);
    }

    /// <summary>A heatmap of counts with each cell's count written in it; rows top to bottom as given.</summary>
    public static byte[] Heatmap(string title, string rowTitle, string columnTitle, long[,] counts, string[] rowNames, string[] columnNames)
    {
        var rows = counts.GetLength(0);
        var columns = counts.GetLength(1);
        var intensities = new double[rows, columns];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                intensities[r, c] = counts[r, c];
            }
        }
        var plot = new Plot();
        var heatmap = plot.Add.Heatmap(intensities);
        heatmap.Colormap = new ScottPlot.Colormaps.Viridis();
        var top = intensities.Cast<double>().DefaultIfEmpty(0).Max();
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                // The heatmap's first row is drawn at the top, at y = rows - 1.
                var text = plot.Add.Text(counts[r, c].ToString(System.Globalization.CultureInfo.InvariantCulture), c, rows - 1 - r);
                text.LabelFontSize = 10;
                text.LabelAlignment = Alignment.MiddleCenter;
                text.LabelFontColor = counts[r, c] > top / 2 ? Colors.Black : Colors.White;
            }
        }
        plot.Axes.Bottom.SetTicks([.. Enumerable.Range(0, columns).Select(c => (double)c)], columnNames);
        plot.Axes.Left.SetTicks([.. Enumerable.Range(0, rows).Select(r => (double)(rows - 1 - r))], rowNames);
        plot.Title(title);
        plot.XLabel(columnTitle);
        plot.YLabel(rowTitle);
        plot.HideGrid();
        return Png(plot, Width, Math.Max(Height, 40 * rows + 140));
    }

    private static byte[] Png(Plot plot, int width, int height) => plot.GetImageBytes(width, height, ImageFormat.Png);

    private static string FormatValue(double value) =>
        value == Math.Floor(value) ? value.ToString("N0", System.Globalization.CultureInfo.InvariantCulture) : value.ToString("0.000", System.Globalization.CultureInfo.InvariantCulture);
}
