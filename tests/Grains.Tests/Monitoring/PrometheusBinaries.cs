using System.Diagnostics;

namespace Distributed.Grains.Tests.Monitoring;

/// <summary>Finds Prometheus' binaries (Debian package <c>prometheus</c>, installed by scripts/setup.sh and .ci/run).</summary>
internal static class PrometheusBinaries
{
    public static string? Find(string name) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "")
            .Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Select(directory => Path.Combine(directory, name))
            .FirstOrDefault(File.Exists);

    /// <summary>Runs a short command with standard input, bounded in time; returns exit code and combined output.</summary>
    public static (int ExitCode, string Output) Run(string path, string arguments, string input, TimeSpan timeout)
    {
        var start = new ProcessStartInfo(path, arguments)
        {
            RedirectStandardInput = true,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var stdout = process.StandardOutput.ReadToEndAsync();
        var stderr = process.StandardError.ReadToEndAsync();
        process.StandardInput.Write(input);
        process.StandardInput.Close();
        if (!process.WaitForExit(timeout))
        {
            process.Kill(entireProcessTree: true);
            throw new TimeoutException($"{path} {arguments} did not finish within {timeout.TotalSeconds} s");
        }
        return (process.ExitCode, stdout.Result + stderr.Result);
    }
}
