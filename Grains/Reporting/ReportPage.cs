using System.Globalization;
using System.Net;
using System.Text;
using System.Text.Json.Nodes;
using Distributed.Ml.Metrics;

namespace Distributed.Grains.Reporting;

/// <summary>The report's HTML: sections with stable ids (the browser test finds them), images as PNG data URIs.</summary>
internal static class ReportPage
{
    private static readonly CultureInfo s_invariant = CultureInfo.InvariantCulture;

    public static string Render(ReportData data)
    {
        var metrics = data.Metrics;
        var html = new StringBuilder(1 << 20);
        html.Append("<!DOCTYPE html>\n<html lang=\"en\"><head><meta charset=\"utf-8\"><title>Labelling run ")
            .Append(Encode(Text(metrics, "model_version"))).Append("</title><style>")
            .Append("body{font-family:sans-serif;margin:2em;max-width:1100px;color:#222}h2{border-bottom:1px solid #ccc;padding-bottom:.2em;margin-top:2em}")
            .Append("table{border-collapse:collapse;margin:.5em 0}td,th{border:1px solid #ccc;padding:.2em .6em;text-align:right}th{background:#f4f4f4}")
            .Append("td:first-child,th:first-child{text-align:left}img{max-width:100%;display:block;margin:.5em 0}")
            .Append(".gallery{border:1px solid #ddd;padding:.5em 1em;margin:1em 0}.gallery h3{margin:.2em 0}")
            .Append("</style></head><body>\n<h1>Labelling run</h1>\n");
        Summary(html, data);
        Training(html, metrics);
        Embedding(html, data);
        Sizes(html, data);
        Confusion(html, data);
        Galleries(html, data);
        Refinement(html, data);
        MethodChoice(html, metrics);
        Rebalancing(html, metrics);
        html.Append("</body></html>\n");
        return html.ToString();
    }

    private static void Summary(StringBuilder html, ReportData data)
    {
        var m = data.Metrics;
        Section(html, "summary", "Summary");
        html.Append("<table>");
        Row(html, "Images", Number(m, "n_images"));
        Row(html, "Method", Text(m, "method") + (m["selected_method"] is { } selected ? $" (auto: {selected})" : ""));
        Row(html, "Features", Text(m, "features") + ", reduced with " + Text(m, "reduce"));
        Row(html, "Clusters", $"{Number(m, "n_clusters_found")} found of {Number(m, "n_clusters")} asked");
        Row(html, "Seed", Number(m, "seed"));
        Row(html, "Model version", Text(m, "model_version"));
        foreach (var score in new[] { "accuracy", "nmi", "ari" }.Where(s => m[s] is not null))
        {
            Row(html, score == "accuracy" ? "Accuracy (Hungarian-matched)" : score.ToUpperInvariant(), Number(m, score));
        }
        Row(html, "Silhouette", Number(m, "silhouette"));
        Row(html, "Davies–Bouldin", Number(m, "davies_bouldin"));
        Row(html, "Calinski–Harabasz", Number(m, "calinski_harabasz"));
        html.Append("</table>\n<h3>Wall time per stage</h3><table><tr><th>Stage</th><th>Seconds</th></tr>");
        if (m["timings_s"] is JsonObject timings)
        {
            foreach (var (stage, seconds) in timings)
            {
                html.Append("<tr><td>").Append(Encode(stage)).Append("</td><td>").Append(seconds!.GetValue<double>().ToString("0.00", s_invariant)).Append("</td></tr>");
            }
        }
        html.Append("</table>\n</section>\n");
    }

    private static void Training(StringBuilder html, JsonObject m)
    {
        Section(html, "training", "Training");
        if (m["training_loss"] is JsonArray loss && loss.Count > 0)
        {
            Image(html, "autoencoder loss per epoch", ReportCharts.Line("Autoencoder training loss", "epoch", "loss", [.. loss.Select(v => v!.GetValue<double>())]));
        }
        else
        {
            html.Append("<p>No network was trained: the features are ").Append(Encode(Text(m, "features"))).Append(".</p>");
        }
        html.Append("</section>\n");
    }

    private static void Embedding(StringBuilder html, ReportData data)
    {
        Section(html, "embedding", "Embedding");
        html.Append("<p>A 2-D UMAP fitted on the features of a seeded sample of ").Append(data.Sample.Length.ToString("N0", s_invariant))
            .Append(" images.</p>");
        var xs = Column(data, 0);
        var ys = Column(data, 1);
        var clusters = Array.ConvertAll(data.Sample, i => data.Assignments[i]);
        Image(html, "embedding coloured by cluster", ReportCharts.Scatter("Coloured by cluster", xs, ys, clusters, c => ClusterTitle(data, c)));
        if (data.TrueLabels is { } labels)
        {
            Image(html, "embedding coloured by true label", ReportCharts.Scatter("Coloured by true label", xs, ys, Array.ConvertAll(data.Sample, i => labels[i]), l => $"label {l}"));
        }
        html.Append("</section>\n");
    }

    private static void Sizes(StringBuilder html, ReportData data)
    {
        Section(html, "sizes", "Cluster sizes");
        var counts = data.Assignments.GroupBy(c => c).OrderBy(g => g.Key).Select(g => (Name: g.Key < 0 ? "noise" : g.Key.ToString(s_invariant), Value: (double)g.Count(), Highlight: g.Key < 0)).ToList();
        Image(html, "images per cluster", ReportCharts.Bars("Images per cluster (noise in grey)", "images", counts));
        html.Append("</section>\n");
    }

    private static void Confusion(StringBuilder html, ReportData data)
    {
        Section(html, "confusion", "Confusion");
        if (data.TrueLabels is { } labels)
        {
            var kept = Enumerable.Range(0, labels.Length).Where(i => data.Assignments[i] >= 0).ToArray();
            var table = ContingencyTable.Build(Array.ConvertAll(kept, i => data.Assignments[i]), Array.ConvertAll(kept, i => labels[i]));
            var order = MatchedOrder(table);
            var counts = new long[order.Length, table.ColumnLabels.Length];
            for (var r = 0; r < order.Length; r++)
            {
                for (var c = 0; c < table.ColumnLabels.Length; c++)
                {
                    counts[r, c] = table.Counts[order[r], c];
                }
            }
            Image(html, "clusters against true labels", ReportCharts.Heatmap("Clusters against true labels (rows in Hungarian-matched order)", "cluster", "true label",
                counts, [.. order.Select(r => table.RowLabels[r].ToString(s_invariant))], [.. table.ColumnLabels.Select(l => l.ToString(s_invariant))]));
        }
        if (data.Metrics["classifier_confusion_matrix"] is JsonArray matrix && matrix.Count > 0)
        {
            var size = matrix.Count;
            var counts = new long[size, size];
            for (var r = 0; r < size; r++)
            {
                var row = (JsonArray)matrix[r]!;
                for (var c = 0; c < row.Count; c++)
                {
                    counts[r, c] = row[c]!.GetValue<long>();
                }
            }
            var names = Enumerable.Range(0, size).Select(i => i.ToString(s_invariant)).ToArray();
            Image(html, "forest predictions against pseudo-labels", ReportCharts.Heatmap(
                $"Random forest on the held-out {Number(data.Metrics, "classifier_held_out")} images: predictions against pseudo-labels", "pseudo-label", "forest prediction", counts, names, names));
        }
        html.Append("</section>\n");
    }

    private static void Galleries(StringBuilder html, ReportData data)
    {
        Section(html, "galleries", "Galleries");
        html.Append("<p>Per cluster: the ").Append(RunReport.TypicalPerCluster).Append(" images nearest its centre in feature space, then the ")
            .Append(RunReport.UncertainPerCluster).Append(" it nearly gave to another cluster (smallest margin to the next centre), from the sample.</p>\n");
        foreach (var cluster in data.Assignments.Where(c => c >= 0).Distinct().Order())
        {
            var members = Enumerable.Range(0, data.Sample.Length).Where(i => data.Assignments[data.Sample[i]] == cluster).ToArray();
            var size = data.Assignments.Count(c => c == cluster);
            html.Append("<div class=\"gallery\" id=\"cluster-").Append(cluster).Append("\"><h3>").Append(Encode(ClusterTitle(data, cluster))).Append("</h3><p>")
                .Append(size.ToString("N0", s_invariant)).Append(" images");
            if (data.TrueLabels is { } labels)
            {
                var (label, count) = Enumerable.Range(0, labels.Length).Where(i => data.Assignments[i] == cluster).GroupBy(i => labels[i])
                    .Select(g => (g.Key, g.Count())).OrderByDescending(g => g.Item2).ThenBy(g => g.Key).First();
                html.Append("; majority label ").Append(label).Append(", purity ").Append(((double)count / size).ToString("0.000", s_invariant));
            }
            html.Append("</p>");
            var typical = members.OrderBy(i => data.Distance[i]).ThenBy(i => i).Take(RunReport.TypicalPerCluster).ToArray();
            var uncertain = members.OrderBy(i => data.Margin[i]).ThenBy(i => i).Take(RunReport.UncertainPerCluster).ToArray();
            Image(html, $"cluster {cluster}: most typical", ImageGrid.Png([.. typical.Select(i => (ReadOnlyMemory<float>)data.SamplePixels.Data.AsMemory(i * data.SamplePixels.Cols, data.SamplePixels.Cols))], 16));
            Image(html, $"cluster {cluster}: least certain", ImageGrid.Png([.. uncertain.Select(i => (ReadOnlyMemory<float>)data.SamplePixels.Data.AsMemory(i * data.SamplePixels.Cols, data.SamplePixels.Cols))], 16));
            html.Append("</div>\n");
        }
        html.Append("</section>\n");
    }

    /// <summary>
    /// What the self-labelling CNN changed: its training, the scores before and after, and the largest
    /// moves from a cluster to another label with the sample's images of each, so a person can judge
    /// whether the CNN corrected the clusters or spoiled them.
    /// </summary>
    private static void Refinement(StringBuilder html, ReportData data)
    {
        if (data.RefinedLabels is not { } refined)
        {
            return;
        }
        var m = data.Metrics;
        Section(html, "refine", "Self-labelling");
        var changed = Enumerable.Range(0, refined.Length).Where(i => refined[i] != data.Assignments[i]).ToArray();
        html.Append("<p>A CNN trained on ").Append(Number(m, "refine_confident_rows")).Append(" confident images");
        // Runs before self-labelling had rounds wrote no refine_rounds: one round.
        if (m["refine_rounds"] is { } roundsNode && roundsNode.GetValue<int>() is var rounds && rounds > 1)
        {
            html.Append(", then ").Append(rounds == 2 ? "a second CNN" : $"{rounds - 1} more CNNs, each")
                .Append(" on every image with the labels of the one before (the last for ").Append(Number(m, "refine_epochs"))
                .Append(" epoch(s)); the ").Append(rounds).Append(" CNNs' probabilities, averaged,");
        }
        else
        {
            html.Append(" for ").Append(Number(m, "refine_epochs")).Append(" epoch(s)");
        }
        html.Append(" labelled every image; the forest learned those labels. ").Append(changed.Length.ToString("N0", s_invariant)).Append(" of ")
            .Append(refined.Length.ToString("N0", s_invariant)).Append(" images got a label other than their cluster.</p>");
        if (m["refine_accuracy"] is not null)
        {
            html.Append("<table><tr><th>Labels</th><th>Accuracy</th><th>NMI</th><th>ARI</th></tr>");
            foreach (var (name, prefix) in new[] { ("Clusters", ""), ("After self-labelling", "refine_") })
            {
                html.Append("<tr><td>").Append(name).Append("</td>");
                foreach (var score in new[] { "accuracy", "nmi", "ari" })
                {
                    html.Append("<td>").Append(Number(m, prefix + score)).Append("</td>");
                }
                html.Append("</tr>");
            }
            html.Append("</table>");
        }
        if (m["refine_training_loss"] is JsonArray loss && loss.Count > 0)
        {
            Image(html, "CNN loss per epoch", ReportCharts.Line("Self-labelling CNN training loss", "epoch", "loss", [.. loss.Select(v => v!.GetValue<double>())]));
        }
        var moves = changed.GroupBy(i => (From: data.Assignments[i], To: refined[i])).OrderByDescending(g => g.Count()).ThenBy(g => g.Key.From).ThenBy(g => g.Key.To)
            .Take(RunReport.ChangesListed).ToArray();
        if (moves.Length == 0)
        {
            html.Append("</section>\n");
            return;
        }
        html.Append("<h3>Largest changes</h3><table><tr><th>From</th><th>To</th><th>Images</th>");
        if (data.TrueLabels is not null)
        {
            html.Append("<th>Most common true label</th>");
        }
        html.Append("</tr>");
        foreach (var move in moves)
        {
            html.Append("<tr><td>").Append(Encode(ClusterTitle(data, move.Key.From))).Append("</td><td>").Append(Encode(ClusterTitle(data, move.Key.To)))
                .Append("</td><td>").Append(move.Count().ToString("N0", s_invariant)).Append("</td>");
            if (data.TrueLabels is { } labels)
            {
                var (label, count) = move.GroupBy(i => labels[i]).Select(g => (g.Key, g.Count())).OrderByDescending(g => g.Item2).ThenBy(g => g.Key).First();
                html.Append("<td>").Append(label).Append(" (").Append(count.ToString("N0", s_invariant)).Append(")</td>");
            }
            html.Append("</tr>");
        }
        html.Append("</table>\n<p>The sample's images of the largest changes, up to ").Append(RunReport.ImagesPerChange).Append(" each.</p>\n");
        foreach (var move in moves.Take(RunReport.ChangesShown))
        {
            var (from, to) = move.Key;
            var shown = Enumerable.Range(0, data.Sample.Length).Where(i => data.Assignments[data.Sample[i]] == from && refined[data.Sample[i]] == to)
                .Take(RunReport.ImagesPerChange).ToArray();
            if (shown.Length == 0)
            {
                continue;
            }
            var title = $"{ClusterTitle(data, from)} → {ClusterTitle(data, to)}";
            html.Append("<div class=\"gallery\" id=\"change-").Append(from).Append('-').Append(to).Append("\"><h3>").Append(Encode(title)).Append("</h3>");
            Image(html, title, ImageGrid.Png([.. shown.Select(i => (ReadOnlyMemory<float>)data.SamplePixels.Data.AsMemory(i * data.SamplePixels.Cols, data.SamplePixels.Cols))], 16));
            html.Append("</div>\n");
        }
        html.Append("</section>\n");
    }

    private static void MethodChoice(StringBuilder html, JsonObject m)
    {
        if (m["candidates"] is not JsonArray candidates || candidates.Count == 0)
        {
            return;
        }
        Section(html, "method", "Method choice");
        html.Append("<p>Selected: ").Append(Encode(Text(m, "selected_method"))).Append(" (").Append(Encode(Text(m, "selection_rule"))).Append(").</p><table><tr>");
        var columns = new[] { "method", "n_clusters", "noise_fraction", "silhouette", "davies_bouldin", "calinski_harabasz", "fit_s", "eligible", "reason" };
        foreach (var column in columns)
        {
            html.Append("<th>").Append(column).Append("</th>");
        }
        html.Append("</tr>");
        foreach (var candidate in candidates.OfType<JsonObject>())
        {
            html.Append("<tr>");
            foreach (var column in columns)
            {
                html.Append("<td>").Append(Encode(candidate[column] is JsonValue value && value.TryGetValue<double>(out var number) ? Format(value) : candidate[column]?.ToString() ?? "")).Append("</td>");
            }
            html.Append("</tr>");
        }
        html.Append("</table>");
        Image(html, "silhouette per candidate", ReportCharts.Bars("Silhouette per candidate", "silhouette",
            [.. candidates.OfType<JsonObject>().Select(c => (c["method"]?.ToString() ?? "?", c["silhouette"]?.GetValue<double>() ?? 0, c["eligible"]?.GetValue<bool>() == false))]));
        html.Append("</section>\n");
    }

    private static void Rebalancing(StringBuilder html, JsonObject m)
    {
        var before = m["class_counts_before"] as JsonObject;
        var after = m["class_counts_after"] as JsonObject;
        var spreading = m["label_spreading_accuracy"];
        if ((before is null || after is null) && spreading is null)
        {
            return;
        }
        Section(html, "rebalancing", "Rebalancing and label spreading");
        if (before is not null && after is not null)
        {
            html.Append("<p>Training rows of the forest per pseudo-label, before and after ").Append(Encode(Text(m, "rebalance"))).Append(".</p>");
            Image(html, "class counts before and after rebalancing", ReportCharts.PairedBars("Rows per pseudo-label", "before", "after",
                [.. before.Select(p => (p.Key, p.Value!.GetValue<double>(), after[p.Key]?.GetValue<double>() ?? 0))]));
        }
        if (spreading is not null)
        {
            html.Append("<p>Label spreading from ").Append(Number(m, "known_labels")).Append(" known labels: accuracy ").Append(Format(spreading))
                .Append(" on the rows whose label was hidden.</p>");
        }
        html.Append("</section>\n");
    }

    /// <summary>Row indices in the order of the label each row is matched to (Hungarian, most agreements); unmatched rows last.</summary>
    private static int[] MatchedOrder(ContingencyTable table)
    {
        var rows = table.RowLabels.Length;
        var columns = table.ColumnLabels.Length;
        var n = Math.Max(rows, columns);
        var cost = new double[n, n];
        for (var r = 0; r < rows; r++)
        {
            for (var c = 0; c < columns; c++)
            {
                cost[r, c] = -table.Counts[r, c];
            }
        }
        var match = Hungarian.Solve(cost);
        return [.. Enumerable.Range(0, rows).OrderBy(r => match[r] < columns ? match[r] : columns + r)];
    }

    /// <summary>"cluster 3", or "cluster 3: zero" once the clusters have names.</summary>
    private static string ClusterTitle(ReportData data, int cluster) =>
        cluster < 0 ? "noise" : data.ClusterNames?.TryGetValue(cluster, out var name) == true ? $"cluster {cluster}: {name}" : $"cluster {cluster}";

    private static float[] Column(ReportData data, int column) => [.. Enumerable.Range(0, data.Layout.Rows).Select(i => data.Layout.Data[i * data.Layout.Cols + column])];

    private static void Section(StringBuilder html, string id, string title) =>
        html.Append("<section id=\"").Append(id).Append("\"><h2>").Append(Encode(title)).Append("</h2>\n");

    private static void Row(StringBuilder html, string name, string value) =>
        html.Append("<tr><td>").Append(Encode(name)).Append("</td><td>").Append(Encode(value)).Append("</td></tr>");

    private static void Image(StringBuilder html, string alt, byte[] png) =>
        html.Append("<img alt=\"").Append(Encode(alt)).Append("\" src=\"data:image/png;base64,").Append(Convert.ToBase64String(png)).Append("\">\n");

    private static string Text(JsonObject m, string key) => m[key]?.ToString() ?? "–";

    private static string Number(JsonObject m, string key) => m[key] is { } value ? Format(value) : "–";

    private static string Format(JsonNode? node) =>
        node is JsonValue value && value.TryGetValue<double>(out var number)
            ? number == Math.Floor(number) && Math.Abs(number) < 1e15 ? number.ToString("N0", s_invariant) : number.ToString("0.0000", s_invariant)
            : node?.ToString() ?? "–";

    private static string Encode(string text) => WebUtility.HtmlEncode(text);
}
