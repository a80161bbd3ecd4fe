using System.Diagnostics;
using System.Globalization;
using Distributed.Ml.Data;

namespace Distributed.Client.Tests.Commands;

/// <summary>
/// Ctrl-C or SIGTERM to a real <c>run</c> process on the embedded silo, mid-job: it stops within
/// seconds with the shell's exit code for the signal and one line on standard error, and leaves
/// nothing in the output directory.
/// </summary>
public sealed class RunInterruptionTests : IDisposable
{
    /// <summary>Enough images that the CNN's training, which starts right after the clustering, takes well over the stop bound.</summary>
    private const int Images = 30_000;

    /// <summary>How long the stopped run may take to exit: a few seconds for the job's cancel and the silo's stop, with slack for a loaded machine.</summary>
    private static readonly TimeSpan s_stopBound = TimeSpan.FromSeconds(20);

    /// <summary>The progress line of the CNN's training, which starts once the clusters are in.</summary>
    private const string TrainingCnn = "training the self-labelling CNN";

    private readonly string _directory = Directory.CreateTempSubdirectory("distributed-interrupt-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Theory]
    [InlineData("INT", 130)]
    [InlineData("TERM", 143)]
    public void ASignalMidJobStopsTheRunAndLeavesNothingBehind(string signal, int exitCode)
    {
        var images = Path.Combine(_directory, "images.npy");
        using (var file = File.Create(images))
        {
            NpyWriter.Write(file, ServeCommandTests.Images(Images), Images, 784);
        }
        var output = Path.Combine(_directory, $"out-{signal}");
        // Through perl (in every Debian), which resets SIGINT to its default before it becomes the
        // CLI: a test host started in the background by a shell inherits SIGINT ignored, and an
        // ignored signal stays ignored across exec, so the CLI would never see the Ctrl-C.
        var start = new ProcessStartInfo("perl", ["-e", "$SIG{INT} = 'DEFAULT'; exec @ARGV or die \"exec: $!\"", "dotnet", typeof(CliApp).Assembly.Location,
            "run", images, "--out", output, "--clusters", "3", "--features", "pixels", "--reduce", "none", "--method", "kmeans", "--trees", "5"])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        using var process = Process.Start(start)!;
        var lines = new List<string>();
        using var cnnStarted = new ManualResetEventSlim();
        process.ErrorDataReceived += (_, e) =>
        {
            if (e.Data is null)
            {
                return;
            }
            lock (lines)
            {
                lines.Add(e.Data);
            }
            // Standard error is not a terminal, so progress comes as lines.
            if (e.Data.Contains(TrainingCnn, StringComparison.Ordinal))
            {
                cnnStarted.Set();
            }
        };
        process.OutputDataReceived += (_, _) => { };
        process.BeginErrorReadLine();
        process.BeginOutputReadLine();
        try
        {
            Assert.True(cnnStarted.Wait(TimeSpan.FromMinutes(3)), $"the CNN's training never started:\n{string.Join('\n', lines)}");
            using (var kill = Process.Start("kill", [$"-{signal}", process.Id.ToString(CultureInfo.InvariantCulture)]))
            {
                kill.WaitForExit();
            }
            var clock = Stopwatch.StartNew();
            string[] AfterTheSignal()
            {
                lock (lines)
                {
                    return [.. lines.SkipWhile(line => !line.Contains(TrainingCnn, StringComparison.Ordinal)).Skip(1)];
                }
            }
            // What the process said after the signal, so a slow stop shows where it was.
            Assert.True(process.WaitForExit(s_stopBound), $"still running {s_stopBound.TotalSeconds} s after SIG{signal}; standard error since:\n{string.Join('\n', AfterTheSignal())}");
            process.WaitForExit();
            var errors = AfterTheSignal();
            Assert.True(exitCode == process.ExitCode, $"exit code {process.ExitCode} after {clock.Elapsed.TotalSeconds:0.0} s:\n{string.Join('\n', errors)}");
            var error = Assert.Single(errors, line => line.StartsWith("error: ", StringComparison.Ordinal));
            Assert.Equal($"error: interrupted by SIG{signal}: the job was stopped; nothing was written to {output}", error);
            Assert.False(Directory.Exists(output), $"{output} holds {string.Join(", ", Directory.Exists(output) ? Directory.GetFileSystemEntries(output) : [])}");
        }
        finally
        {
            if (!process.HasExited)
            {
                process.Kill(entireProcessTree: true);
            }
        }
    }
}
