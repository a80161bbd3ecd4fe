using System.CommandLine;
using System.Globalization;
using Distributed.Grains.Reporting;

namespace Distributed.Client.Commands;

/// <summary><c>report &lt;run-dir&gt; --images &lt;file&gt; [--labels &lt;file&gt;]</c>: rebuilds a run's <c>report.html</c> from its outputs.</summary>
internal static class ReportCommand
{
    public static Command Create(TextWriter output)
    {
        var runDirectory = new Argument<string>("run-dir") { Description = "A run's output directory (model/, assignments.npy, metrics.json)" };
        var images = new Option<string>("--images") { Description = "The images the run labelled", Required = true };
        var labels = new Option<string?>("--labels") { Description = "Their true labels, for the label colouring, confusion and purity" };
        var command = new Command("report", $"Rebuild a run's {RunReport.FileName}: plots and per-cluster galleries in one self-contained page") { runDirectory, images, labels };
        command.SetAction(parse =>
        {
            var report = RunReport.Write(parse.GetValue(runDirectory)!, parse.GetValue(images)!, parse.GetValue(labels));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"wrote {report.Path} ({report.Bytes / 1e6:0.0} MB in {report.Elapsed.TotalSeconds:0.0} s)"));
            return ExitCodes.Success;
        });
        return command;
    }
}
