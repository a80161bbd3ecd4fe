using System.CommandLine;
using Distributed.Grains.Jobs;
using Distributed.Grains.Storage;

namespace Distributed.Client.Commands;

/// <summary><c>name &lt;run-dir&gt; --names &lt;file.json | "0=zero,1=one"&gt;</c>: a new model version whose clusters have names.</summary>
internal static class NameCommand
{
    public static Command Create(TextWriter output)
    {
        var runDirectory = new Argument<string>("run-dir") { Description = "A run's output directory (its current model gets the names)" };
        var names = new Option<string>("--names")
        {
            Description = "A JSON file {\"0\": \"zero\", ...} or inline 0=zero,1=one; two clusters may share a name",
            Required = true,
        };
        var keepVersions = CommonOptions.KeepVersions();
        var command = new Command("name", "Give clusters human names: publishes a new version of the run whose predictions carry them") { runDirectory, names, keepVersions };
        command.SetAction(parse =>
        {
            var (before, after) = Name(parse.GetValue(runDirectory)!, parse.GetValue(names)!, CommonOptions.KeepVersionsOf(parse, keepVersions), output);
            output.WriteLine($"named {after.ClusterNames!.Count} cluster(s): model version {after.ModelVersion} (was {before.ModelVersion})");
            return ExitCodes.Success;
        });
        return command;
    }

    private static (BundleManifest Before, BundleManifest After) Name(string runDirectory, string names, int keepVersions, TextWriter output)
    {
        try
        {
            return NamingJob.Run(runDirectory, names, keepVersions, ConsoleLog.Create(output));
        }
        catch (ArgumentException e)
        {
            throw new UserError($"--names: {e.Message}");
        }
    }
}
