using System.Diagnostics;
using System.Globalization;
using System.Text.Json.Nodes;
using Distributed.Grains.Jobs;
using Distributed.Grains.Storage;
using Distributed.Ml.Data;
using Xunit.Abstractions;

namespace Distributed.Client.Tests.Commands;

/// <summary>
/// Real processes killed with SIGKILL at seeded random moments of their write phase: after each
/// kill the run directory serves the old version or the new one, whole, and a recovery leaves no
/// leftovers.
/// </summary>
public sealed class PublicationCrashTests(ITestOutputHelper log) : IDisposable
{
    private const int Kills = 20;
    private readonly string _directory = Directory.CreateTempSubdirectory("distributed-crash-").FullName;

    public void Dispose() => Directory.Delete(_directory, recursive: true);

    [Fact]
    public void AKilledRunOrNamePublishesTheOldVersionOrTheNewOneNeverNeither()
    {
        var images = Path.Combine(_directory, "images.npy");
        using (var file = File.Create(images))
        {
            NpyWriter.Write(file, ServeCommandTests.Images(60), 60, 784);
        }
        var output = Path.Combine(_directory, "out");
        string[] Run(int seed) => ["run", images, "--out", output, "--in-process", "--quiet", "--clusters", "3", "--features", "pca", "--reduce", "none",
            "--method", "kmeans", "--pca-components", "8", "--trees", "5", "--restarts", "2", "--seed", seed.ToString(CultureInfo.InvariantCulture), "--keep-versions", "3"];
        string[] Name(int seed) => ["name", output, "--names", $"0=zero{seed},1=one,2=two", "--keep-versions", "3"];

        Assert.Equal(0, Finish(Run(0)));
        var runPhase = WritePhase(Run(100));
        var namePhase = WritePhase(Name(100));
        log.WriteLine($"write phase: run {runPhase.TotalMilliseconds:0} ms, name {namePhase.TotalMilliseconds:0} ms");

        var random = new Random(2026);
        var seen = new HashSet<string> { CurrentVersion(output) };
        var (oldCount, newCount) = (0, 0);
        for (var kill = 0; kill < 2 * Kills; kill++)
        {
            var before = CurrentVersion(output);
            var isRun = kill % 2 == 0;
            var delay = (isRun ? runPhase : namePhase) * random.NextDouble();
            KillDuringWrite(isRun ? Run(kill + 1) : Name(kill + 1), output, delay);

            // The directory answers with one whole version: the one before or a new one.
            var after = CurrentVersion(output);
            Assert.True(after == before || !seen.Contains(after), $"kill {kill}: current is {after}, an older version than {before}");
            seen.Add(after);
            (oldCount, newCount) = after == before ? (oldCount + 1, newCount) : (oldCount, newCount + 1);
            var (code, _, stderr) = CliRunner.Run("predict", output, images, "--out", Path.Combine(_directory, "pred.npy"));
            Assert.True(code == 0, $"kill {kill} after {delay.TotalMilliseconds:0.0} ms: predict failed: {stderr}");
            var metrics = JsonNode.Parse(File.ReadAllText(Path.Combine(output, JobOutputs.Metrics)))!;
            Assert.Equal(after, metrics["model_version"]!.GetValue<string>());
            Assert.True(File.Exists(Path.Combine(output, JobOutputs.Assignments)), $"kill {kill}: assignments missing");
        }
        log.WriteLine($"{2 * Kills} kills: {oldCount} left the old version, {newCount} the new one");

        // A recovery (any later publication does one; store gc --out does one alone) leaves nothing behind.
        var store = Directory.CreateDirectory(Path.Combine(_directory, "store")).FullName;
        var (gcCode, gcOut, gcError) = CliRunner.Run("store", "gc", "--store", store, "--older-than", "0s", "--out", output);
        Assert.True(gcCode == 0, gcError);
        log.WriteLine(gcOut);
        Assert.Equal([".publish.lock"], Directory.GetFileSystemEntries(output, ".*").Select(Path.GetFileName));
        Assert.All(Directory.GetDirectories(Path.Combine(output, RunDirectory.VersionsFolder)),
            version => Assert.True(File.Exists(Path.Combine(version, JobOutputs.Model, ModelBundle.ManifestFile)), $"{version} is incomplete"));
        Assert.Equal(CurrentVersion(output), ModelBundle.Load(output).Manifest.ModelVersion);
    }

    private static string CurrentVersion(string output) => ModelBundle.Load(output).Manifest.ModelVersion;

    private static int Finish(string[] arguments)
    {
        using var process = Start(arguments);
        process.WaitForExit();
        return process.ExitCode;
    }

    /// <summary>How long an undisturbed process takes from the start of its write (a staging directory appears) to its exit.</summary>
    private static TimeSpan WritePhase(string[] arguments)
    {
        var output = arguments[0] == "run" ? arguments[Array.IndexOf(arguments, "--out") + 1] : arguments[1];
        var earlier = Stagings(output);
        using var process = Start(arguments);
        WaitForStaging(process, output, earlier);
        var clock = Stopwatch.StartNew();
        process.WaitForExit();
        Assert.Equal(0, process.ExitCode);
        return clock.Elapsed;
    }

    private static void KillDuringWrite(string[] arguments, string output, TimeSpan delay)
    {
        // A killed writer's staging directory stays until the next publication recovers it.
        var earlier = Stagings(output);
        using var process = Start(arguments);
        WaitForStaging(process, output, earlier);
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < delay && !process.HasExited)
        {
            Thread.SpinWait(100);
        }
        if (!process.HasExited)
        {
            process.Kill();
        }
        process.WaitForExit();
    }

    private static HashSet<string> Stagings(string output) => [.. Directory.EnumerateDirectories(output, ".staging-*")];

    /// <summary>Waits until the process has created its own staging directory (its write phase began) or has ended.</summary>
    private static void WaitForStaging(Process process, string output, HashSet<string> earlier)
    {
        var deadline = Stopwatch.StartNew();
        while (!process.HasExited && Directory.EnumerateDirectories(output, ".staging-*").All(earlier.Contains))
        {
            Assert.True(deadline.Elapsed < TimeSpan.FromSeconds(60), "the process never started writing");
            Thread.Sleep(1);
        }
    }

    private static Process Start(string[] arguments)
    {
        var start = new ProcessStartInfo("dotnet", [typeof(CliApp).Assembly.Location, .. arguments])
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        var process = Process.Start(start)!;
        // Drained so that a full pipe never stalls the child.
        process.OutputDataReceived += (_, _) => { };
        process.ErrorDataReceived += (_, _) => { };
        process.BeginOutputReadLine();
        process.BeginErrorReadLine();
        return process;
    }
}
