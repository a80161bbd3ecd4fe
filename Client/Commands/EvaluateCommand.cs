using System.CommandLine;
using System.Globalization;
using Distributed.Grains.Jobs;

namespace Distributed.Client.Commands;

/// <summary><c>evaluate &lt;assignments.npy&gt; --labels &lt;file&gt;</c>: accuracy, NMI and ARI of saved assignments.</summary>
internal static class EvaluateCommand
{
    public static Command Create(TextWriter output)
    {
        var assignments = new Argument<string>("assignments") { Description = "Cluster id per image (.npy)" };
        var labels = new Option<string>("--labels") { Description = "True labels (.npy, IDX or CSV)", Required = true };
        var outFile = new Option<string?>("--out") { Description = "Where to write the scores (default: evaluation.json beside the assignments)" };
        var command = new Command("evaluate", "Score cluster assignments against true labels") { assignments, labels, outFile };
        command.SetAction(parse =>
        {
            var assignmentsPath = parse.GetValue(assignments)!;
            var target = parse.GetValue(outFile) ?? Path.Combine(Path.GetDirectoryName(Path.GetFullPath(assignmentsPath))!, "evaluation.json");
            var evaluation = EvaluationJob.Run(assignmentsPath, parse.GetValue(labels)!, target);
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"accuracy {evaluation.Accuracy:0.0000}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"nmi      {evaluation.Nmi:0.0000}"));
            output.WriteLine(string.Create(CultureInfo.InvariantCulture, $"ari      {evaluation.Ari:0.0000}"));
            output.WriteLine($"wrote {target}");
            return ExitCodes.Success;
        });
        return command;
    }
}
