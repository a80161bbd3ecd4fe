using System.CommandLine;
using Distributed.Client.Commands;
using Distributed.Grains.Storage;
using Distributed.Ml;

namespace Distributed.Client;

/// <summary>The command-line application: builds the command tree and turns failures into one-line errors and exit codes.</summary>
internal static class CliApp
{
    public static int Run(string[] args, TextWriter output, TextWriter error)
    {
        var root = new RootCommand("Distributed: unlabelled 28×28 images in, labelled data and a served classifier out")
        {
            RunCommand.Create(output),
            PredictCommand.Create(output),
            EvaluateCommand.Create(output),
            DataCommand.Create(output),
            ServeCommand.Create(output),
            StatusCommand.Create(output),
            ReportCommand.Create(output),
            NameCommand.Create(output),
            StoreCommand.Create(output),
        };
        var parse = root.Parse(args);
        if (parse.Errors.Count > 0)
        {
            foreach (var parseError in parse.Errors)
            {
                error.WriteLine($"error: {parseError.Message}");
            }
            error.WriteLine("run with --help for usage");
            return ExitCodes.Usage;
        }
        try
        {
            return parse.Invoke(new InvocationConfiguration { Output = output, Error = error, EnableDefaultExceptionHandler = false });
        }
        catch (OptionsException e)
        {
            error.WriteLine($"error: {e.Describe(OptionFlags.Of)}");
            return ExitCodes.UserError;
        }
        catch (Exception e) when (e is InputFileException or ModelBundleException or UserError or Grains.Cluster.Hosting.ClusterJobException)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.UserError;
        }
        catch (Interrupted e)
        {
            error.WriteLine($"error: {e.Message}");
            return e.ExitCode;
        }
        catch (IOException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.UserError;
        }
        catch (UnauthorizedAccessException e)
        {
            error.WriteLine($"error: {e.Message}");
            return ExitCodes.UserError;
        }
        catch (Exception e)
        {
            // A bug, not a user mistake: say so in one line; the trace only on request.
            error.WriteLine($"internal error: {e.GetType().Name}: {e.Message}");
            if (Environment.GetEnvironmentVariable("DISTRIBUTED_DEBUG") == "1")
            {
                error.WriteLine(e);
            }
            return ExitCodes.InternalError;
        }
    }
}
