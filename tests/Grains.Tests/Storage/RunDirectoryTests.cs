using Distributed.Grains.Jobs;
using Distributed.Grains.Serving;
using Distributed.Grains.Storage;

namespace Distributed.Grains.Tests.Storage;

public class RunDirectoryTests
{
    private readonly TrainedModels _models = TrainedModels.Instance;

    [Fact]
    public void EachPublicationIsANewVersionThatEveryPathNames()
    {
        using var temp = new TempDirectory();
        var run = new RunDirectory(temp.File("run"), JobOutputs.All);
        var first = Publish(run, _models.First, "metrics of the first");
        var second = Publish(run, _models.Second, "metrics of the second");

        Assert.Equal(second, run.CurrentVersionDirectory);
        Assert.Equal([Path.GetFileName(first), Path.GetFileName(second)], run.Versions());
        var secondVersion = ModelBundle.Load(_models.Second).Manifest.ModelVersion;
        // The run directory, its fixed link and the version itself all name the current model.
        foreach (var path in new[] { run.Root, Path.Combine(run.Root, JobOutputs.Model), Path.Combine(second, JobOutputs.Model) })
        {
            Assert.Equal(secondVersion, ModelBundle.Load(path).Manifest.ModelVersion);
            Assert.Equal(Path.Combine(second, JobOutputs.Model), ModelBundle.Resolve(path));
        }
        Assert.Equal("metrics of the second", File.ReadAllText(Path.Combine(run.Root, JobOutputs.Metrics)));
        // An earlier version stays readable by its own path.
        Assert.Equal(ModelBundle.Load(_models.First).Manifest.ModelVersion, ModelBundle.Load(Path.Combine(first, JobOutputs.Model)).Manifest.ModelVersion);
        Assert.Empty(Directory.GetDirectories(run.Root, ".*"));
    }

    [Fact]
    public void PruningKeepsTheNewestVersionsAndAnyThatAReaderHolds()
    {
        using var temp = new TempDirectory();
        var run = new RunDirectory(temp.File("run"), JobOutputs.All);
        var held = Publish(run, _models.First, "1", "v1");
        var model = LoadedModel.Load(Path.Combine(held, JobOutputs.Model));
        Publish(run, _models.Second, "2", "v2");
        Publish(run, _models.First, "3", "v3", keepVersions: 2);
        // v1 is beyond the limit but served: it stays while its lease lasts.
        Assert.Equal(["v1", "v2", "v3"], run.Versions());
        model.ReleaseLease();
        Publish(run, _models.Second, "4", "v4", keepVersions: 2);
        Assert.Equal(["v3", "v4"], run.Versions());
    }

    [Fact]
    public void AFailedWriteLeavesTheCurrentVersionAndNoLeftovers()
    {
        using var temp = new TempDirectory();
        var run = new RunDirectory(temp.File("run"), JobOutputs.All);
        var first = Publish(run, _models.First, "1");
        Assert.Throws<IOException>(() => run.Publish(staging =>
        {
            File.WriteAllText(Path.Combine(staging, JobOutputs.Metrics), "half");
            throw new IOException("No space left on device");
        }, RunDirectory.DefaultKeepVersions));
        Assert.Equal(first, run.CurrentVersionDirectory);
        Assert.Equal("1", File.ReadAllText(Path.Combine(run.Root, JobOutputs.Metrics)));
        Assert.Equal([".publish.lock"], Directory.GetFileSystemEntries(run.Root, ".*").Select(Path.GetFileName));
    }

    [Fact]
    public void RecoveryRemovesWhatNeverBecameCurrent()
    {
        using var temp = new TempDirectory();
        var run = new RunDirectory(temp.File("run"), JobOutputs.All);
        Publish(run, _models.First, "1", "v1");
        // What a writer killed at three moments leaves: a version half written, a pointer not yet
        // renamed, and a version complete in versions/ that current never named.
        Directory.CreateDirectory(Path.Combine(run.Root, ".staging-0123"));
        File.WriteAllText(Path.Combine(run.Root, ".staging-0123", JobOutputs.Metrics), "half");
        File.CreateSymbolicLink(Path.Combine(run.Root, ".current-0123"), "versions/v1");
        Apis.PredictorApiTests.CopyDirectory(_models.Second, Path.Combine(run.Root, RunDirectory.VersionsFolder, "v2", JobOutputs.Model));
        File.WriteAllBytes(Path.Combine(run.Root, RunDirectory.VersionsFolder, "v2", ".lease"), []);
        var log = new ListLogger();

        new RunDirectory(run.Root, JobOutputs.All, log).Recover();

        Assert.Equal(Path.Combine(run.Root, RunDirectory.VersionsFolder, "v1"), run.CurrentVersionDirectory);
        Assert.Equal(["v1"], run.Versions());
        Assert.False(Directory.Exists(Path.Combine(run.Root, RunDirectory.VersionsFolder, "v2")));
        Assert.Equal([".publish.lock"], Directory.GetFileSystemEntries(run.Root, ".*").Select(Path.GetFileName));
        Assert.Equal(3, log.Lines.Count);
        Assert.Contains(log.Lines, l => l.Contains(".staging-0123", StringComparison.Ordinal) && l.Contains("interrupted version write", StringComparison.Ordinal));
        Assert.Contains(log.Lines, l => l.Contains("v2", StringComparison.Ordinal) && l.Contains("stopped before it became current", StringComparison.Ordinal));
        // Logged once: a second recovery finds nothing to do.
        new RunDirectory(run.Root, JobOutputs.All, log).Recover();
        Assert.Equal(3, log.Lines.Count);
    }

    [Fact]
    public void AnOldVersionsRemovalCutShortLeavesNoHalfVersion()
    {
        using var temp = new TempDirectory();
        var log = new ListLogger();
        var run = new RunDirectory(temp.File("run"), JobOutputs.All, log);
        Publish(run, _models.First, "1", "v1");
        Publish(run, _models.Second, "2", "v2");
        // Pruning down to one version takes v1 out of versions/ whole before deleting its files.
        Publish(run, _models.First, "3", "v3", keepVersions: 2);
        Assert.Equal(["v2", "v3"], run.Versions());
        Assert.Equal(["v2", "v3"], Directory.GetDirectories(Path.Combine(run.Root, RunDirectory.VersionsFolder)).Select(Path.GetFileName).Order(StringComparer.Ordinal));
        Assert.Empty(log.Lines);

        // What a writer killed in the middle of deleting v1's files leaves: the rest of them, outside versions/.
        var removing = Path.Combine(run.Root, ".removing-0123");
        Directory.CreateDirectory(removing);
        File.WriteAllBytes(Path.Combine(removing, ".published"), []);
        File.WriteAllText(Path.Combine(removing, JobOutputs.Metrics), "1");

        run.Recover();

        Assert.Equal(["v2", "v3"], run.Versions());
        Assert.Equal("3", File.ReadAllText(Path.Combine(run.Root, JobOutputs.Metrics)));
        Assert.Equal([".publish.lock"], Directory.GetFileSystemEntries(run.Root, ".*").Select(Path.GetFileName));
        Assert.Contains(log.Lines, l => l.Contains(".removing-0123", StringComparison.Ordinal) && l.Contains("interrupted removal", StringComparison.Ordinal));
    }

    [Fact]
    public void AWorkingFolderIsRemovedOnlyOnceItsHolderIsGone()
    {
        using var temp = new TempDirectory();
        var run = new RunDirectory(temp.File("run"), JobOutputs.All);
        using var live = run.CreateScratch();
        // What a killed embedded run leaves: its working folder, unlocked.
        var orphan = Path.Combine(run.Root, ".scratch-0123");
        Directory.CreateDirectory(orphan);
        File.WriteAllBytes(Path.Combine(orphan, ".in-use"), []);

        run.Recover();

        Assert.True(Directory.Exists(live.Path));
        Assert.False(Directory.Exists(orphan));
        live.Dispose();
        Assert.False(Directory.Exists(live.Path));

        // A run that failed before publishing: the directory made for its working folder goes with it.
        var failed = new RunDirectory(temp.File("failed"), JobOutputs.All);
        failed.CreateScratch().Dispose();
        Assert.False(Directory.Exists(failed.Root));
    }

    [Fact]
    public void AnEarlierReleasesPlainOutputsBecomeAVersion()
    {
        using var temp = new TempDirectory();
        var root = temp.File("run");
        Apis.PredictorApiTests.CopyDirectory(_models.First, Path.Combine(root, JobOutputs.Model));
        File.WriteAllText(Path.Combine(root, JobOutputs.Metrics), "old metrics");
        var version = ModelBundle.Load(Path.Combine(root, JobOutputs.Model)).Manifest.ModelVersion;
        // Read as a plain bundle before anything is published.
        Assert.Equal(version, ModelBundle.Load(Path.Combine(root, JobOutputs.Model)).Manifest.ModelVersion);

        var run = new RunDirectory(root, JobOutputs.All);
        Publish(run, _models.Second, "new metrics");

        Assert.Equal([version, Path.GetFileName(run.CurrentVersionDirectory)!], run.Versions());
        Assert.NotEqual(version, Path.GetFileName(run.CurrentVersionDirectory));
        Assert.Equal("old metrics", File.ReadAllText(Path.Combine(root, RunDirectory.VersionsFolder, version, JobOutputs.Metrics)));
        Assert.Equal("new metrics", File.ReadAllText(Path.Combine(root, JobOutputs.Metrics)));
    }

    [Fact]
    public void AnAdoptionCutShortIsFinished()
    {
        using var temp = new TempDirectory();
        var root = temp.File("run");
        // Killed after moving the model into the hidden folder, before the metrics.
        Apis.PredictorApiTests.CopyDirectory(_models.First, Path.Combine(root, ".adopting", JobOutputs.Model));
        File.WriteAllText(Path.Combine(root, JobOutputs.Metrics), "old metrics");

        var run = new RunDirectory(root, JobOutputs.All);
        run.Recover();

        var version = ModelBundle.Load(_models.First).Manifest.ModelVersion;
        Assert.Equal(Path.Combine(root, RunDirectory.VersionsFolder, version), run.CurrentVersionDirectory);
        Assert.Equal("old metrics", File.ReadAllText(Path.Combine(root, JobOutputs.Metrics)));
        Assert.Equal(version, ModelBundle.Load(root).Manifest.ModelVersion);
        Assert.False(Directory.Exists(Path.Combine(root, ".adopting")));
    }

    private static string Publish(RunDirectory run, string bundle, string metrics, string? version = null, int keepVersions = RunDirectory.DefaultKeepVersions) =>
        run.Publish(staging =>
        {
            Apis.PredictorApiTests.CopyDirectory(bundle, Path.Combine(staging, JobOutputs.Model));
            File.WriteAllText(Path.Combine(staging, JobOutputs.Metrics), metrics);
            return version ?? ModelBundle.Load(bundle).Manifest.ModelVersion;
        }, keepVersions);

    private sealed class ListLogger : Microsoft.Extensions.Logging.ILogger
    {
        public List<string> Lines { get; } = [];

        public IDisposable? BeginScope<TState>(TState state)
            where TState : notnull => null;

        public bool IsEnabled(Microsoft.Extensions.Logging.LogLevel logLevel) => true;

        public void Log<TState>(Microsoft.Extensions.Logging.LogLevel logLevel, Microsoft.Extensions.Logging.EventId eventId, TState state, Exception? exception, Func<TState, Exception?, string> formatter) =>
            Lines.Add(formatter(state, exception));
    }
}
