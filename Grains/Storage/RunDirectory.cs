using System.Text.Json;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace Distributed.Grains.Storage;

/// <summary>
/// A directory that publishes sets of outputs as immutable versions:
/// <code>
/// versions/&lt;version&gt;/   one set of outputs, written once, fsynced before it is named
/// current -> versions/&lt;version&gt;   a symbolic link, replaced by one rename
/// &lt;output&gt; -> current/&lt;output&gt;   fixed links, so a path like runs/x/model keeps working
/// </code>
/// A reader that resolves <c>current</c> once sees one whole set, old or new, never a mix and never
/// nothing. Writers take an exclusive lock on the directory; readers take a shared lease on the
/// version they read, and a leased version is never pruned. Directories written by earlier releases
/// (the outputs as plain files at the top) are adopted as a version the first time one is published.
/// </summary>
public sealed partial class RunDirectory
{
    /// <summary>Folder of the versions.</summary>
    public const string VersionsFolder = "versions";

    /// <summary>The pointer to the current version.</summary>
    public const string CurrentLink = "current";

    /// <summary>Versions kept unless told otherwise: the current one and the four before it.</summary>
    public const int DefaultKeepVersions = 5;

    /// <summary>Empty file in every version that readers lock shared while they use the version.</summary>
    private const string LeaseFile = ".lease";

    /// <summary>Empty file added to a version once it has been current; its time orders the versions.</summary>
    private const string PublishedFile = ".published";
    private const string LockFile = ".publish.lock";
    private const string StagingPrefix = ".staging-";
    private const string PointerPrefix = ".current-";
    private const string AdoptingFolder = ".adopting";
    private const string RemovingPrefix = ".removing-";
    private const string ScratchPrefix = ".scratch-";
    private const string ScratchLock = ".in-use";
    private const string TemporaryMarker = ".tmp-";

    private readonly IReadOnlyList<string> _outputs;
    private readonly ILogger _logger;

    /// <summary>Opens the directory at <paramref name="root"/> (not created until something is published).</summary>
    /// <param name="root">The directory.</param>
    /// <param name="outputs">Names of the entries a version holds that get a fixed link at the top (and that a directory of an earlier release held at the top).</param>
    /// <param name="logger">Where recovered leftovers are reported.</param>
    public RunDirectory(string root, IReadOnlyList<string> outputs, ILogger? logger = null)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(root);
        ArgumentNullException.ThrowIfNull(outputs);
        Root = Path.GetFullPath(root.TrimEnd(Path.DirectorySeparatorChar));
        _outputs = outputs;
        _logger = logger ?? NullLogger.Instance;
    }

    /// <summary>Absolute path of the directory.</summary>
    public string Root { get; }

    /// <summary>The directory of the current version, or null when none has been published.</summary>
    public string? CurrentVersionDirectory => CurrentOf(Root);

    /// <summary>Names of the versions that have been current, in the order they were published.</summary>
    public IReadOnlyList<string> Versions()
    {
        var versions = Path.Combine(Root, VersionsFolder);
        return Directory.Exists(versions)
            ? [.. Directory.EnumerateDirectories(versions)
                .Where(v => File.Exists(Path.Combine(v, PublishedFile)))
                .OrderBy(v => File.GetLastWriteTimeUtc(Path.Combine(v, PublishedFile)))
                .ThenBy(v => v, StringComparer.Ordinal)
                .Select(v => Path.GetFileName(v))]
            : [];
    }

    /// <summary>The current version's directory of the run directory <paramref name="root"/>, or null when it has none.</summary>
    public static string? CurrentOf(string root)
    {
        var link = Path.Combine(Path.GetFullPath(root), CurrentLink);
        return new FileInfo(link).LinkTarget is null ? null : PosixFiles.ResolveLinks(link);
    }

    /// <summary>
    /// Takes a shared lease on the version that holds <paramref name="path"/> (a path inside a
    /// version, symbolic links resolved), so that pruning leaves it alone until the lease is
    /// disposed; null when the path is not inside a version.
    /// </summary>
    public static IDisposable? Lease(string path)
    {
        var directory = Path.GetFullPath(path);
        while (directory is not null)
        {
            var parent = Path.GetDirectoryName(directory);
            if (parent is not null && Path.GetFileName(parent) == VersionsFolder && File.Exists(Path.Combine(directory, LeaseFile)))
            {
                return PosixFiles.TryLock(Path.Combine(directory, LeaseFile), exclusive: false, wait: true);
            }
            directory = parent;
        }
        return null;
    }

    /// <summary>
    /// Publishes a new version: <paramref name="write"/> fills a fresh hidden directory and returns
    /// the version's name; the files are fsynced, the directory is renamed into <c>versions/</c>,
    /// and <c>current</c> is pointed at it with one rename. Then versions beyond
    /// <paramref name="keepVersions"/> that no reader holds are removed, oldest first.
    /// </summary>
    /// <returns>The version's directory.</returns>
    /// <exception cref="IOException">A write, sync or rename failed; the current version is unchanged.</exception>
    public string Publish(Func<string, string> write, int keepVersions)
    {
        ArgumentNullException.ThrowIfNull(write);
        ArgumentOutOfRangeException.ThrowIfLessThan(keepVersions, 1);
        Directory.CreateDirectory(Root);
        using var gate = PosixFiles.TryLock(Path.Combine(Root, LockFile), exclusive: true, wait: true);
        RecoverLocked();
        var staging = Path.Combine(Root, StagingPrefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(staging);
        string target;
        try
        {
            var version = write(staging);
            CheckVersionName(version);
            target = Install(staging, version);
        }
        catch
        {
            AtomicFile.TryDeleteDirectory(staging);
            throw;
        }
        PointTo(Path.GetFileName(target));
        MarkPublished(target);
        LinkOutputs();
        PruneLocked(keepVersions);
        return target;
    }

    /// <summary>
    /// A fresh hidden working directory inside the run directory (an embedded run's shard store),
    /// locked while the returned handle lives; the directory goes when the handle is disposed, and
    /// one whose process died is removed by the next recovery.
    /// </summary>
    public Scratch CreateScratch()
    {
        var created = !Directory.Exists(Root);
        Directory.CreateDirectory(Root);
        var path = Path.Combine(Root, ScratchPrefix + Guid.NewGuid().ToString("N"));
        Directory.CreateDirectory(path);
        return new Scratch(path, PosixFiles.TryLock(Path.Combine(path, ScratchLock), exclusive: true, wait: true)!, created ? Root : null);
    }

    /// <summary>Completes or removes what an interrupted publication left behind (each case logged once).</summary>
    public void Recover()
    {
        if (!Directory.Exists(Root))
        {
            return;
        }
        using var gate = PosixFiles.TryLock(Path.Combine(Root, LockFile), exclusive: true, wait: true);
        RecoverLocked();
    }

    private void RecoverLocked()
    {
        foreach (var entry in Directory.EnumerateFileSystemEntries(Root, ".*"))
        {
            var name = Path.GetFileName(entry);
            if (name.StartsWith(StagingPrefix, StringComparison.Ordinal))
            {
                // A version that was still being written: it was never visible, and is incomplete.
                AtomicFile.TryDeleteDirectory(entry);
                LogRemovedLeftover(_logger, entry, "an interrupted version write");
            }
            else if (name.StartsWith(RemovingPrefix, StringComparison.Ordinal))
            {
                // A version whose removal was cut short: it left versions/ whole, by one rename, before any file went.
                AtomicFile.TryDeleteDirectory(entry);
                LogRemovedLeftover(_logger, entry, "an interrupted removal of an old version");
            }
            else if (name.StartsWith(ScratchPrefix, StringComparison.Ordinal))
            {
                // A working directory is removed only once no process holds it (its holder died).
                using var holder = PosixFiles.TryLock(Path.Combine(entry, ScratchLock), exclusive: true, wait: false);
                if (holder is not null)
                {
                    AtomicFile.TryDeleteDirectory(entry);
                    LogRemovedLeftover(_logger, entry, "a run that stopped before cleaning up its working files");
                }
            }
            else if (name.StartsWith(PointerPrefix, StringComparison.Ordinal) || name.Contains(TemporaryMarker, StringComparison.Ordinal))
            {
                File.Delete(entry);
                LogRemovedLeftover(_logger, entry, "an interrupted file write");
            }
        }
        AdoptEarlierLayout();
        var current = CurrentVersionDirectory;
        if (current is not null)
        {
            // Killed between pointing at a version and marking it.
            MarkPublished(current);
        }
        else if (Versions() is [.., var latest])
        {
            // No pointer, or one whose version is gone: the latest version that was current serves again.
            PointTo(latest);
            current = CurrentVersionDirectory;
            LogRepointed(_logger, Root, latest);
        }
        var versions = Path.Combine(Root, VersionsFolder);
        if (Directory.Exists(versions))
        {
            foreach (var version in Directory.EnumerateDirectories(versions))
            {
                if (!File.Exists(Path.Combine(version, PublishedFile)) && version != current)
                {
                    // Complete on disk, but its writer stopped before pointing at it, so it never
                    // reported success and nobody has read it: the old version stays current.
                    RemoveVersion(version);
                    LogRemovedLeftover(_logger, version, "a publication stopped before it became current");
                }
            }
        }
        LinkOutputs();
    }

    /// <summary>
    /// A directory written before versions existed holds its outputs at the top. They become a
    /// version (named after the model's manifest) through a fixed hidden folder, so a move cut short
    /// is finished by the next recovery rather than lost.
    /// </summary>
    private void AdoptEarlierLayout()
    {
        var adopting = Path.Combine(Root, AdoptingFolder);
        if (new FileInfo(Path.Combine(Root, CurrentLink)).LinkTarget is not null)
        {
            return;
        }
        var plain = _outputs.Where(o => Path.Exists(Path.Combine(Root, o)) && new FileInfo(Path.Combine(Root, o)).LinkTarget is null).ToList();
        if (plain.Count == 0 && !Directory.Exists(adopting))
        {
            return;
        }
        Directory.CreateDirectory(adopting);
        foreach (var output in plain)
        {
            PosixFiles.Rename(Path.Combine(Root, output), Path.Combine(adopting, output));
        }
        // It was the current output set, so it counts as published from the start.
        File.WriteAllBytes(Path.Combine(adopting, PublishedFile), []);
        var version = AdoptedVersionName(adopting);
        Install(adopting, version);
        PointTo(version);
        LogAdopted(_logger, Root, version);
    }

    /// <summary>
    /// Makes the complete folder <paramref name="folder"/> the version <paramref name="version"/>:
    /// adds its lease file, syncs it, and renames it into <c>versions/</c>; returns where it went.
    /// </summary>
    /// <exception cref="IOException">The version exists already, or a sync or rename failed.</exception>
    private string Install(string folder, string version)
    {
        File.WriteAllBytes(Path.Combine(folder, LeaseFile), []);
        PosixFiles.SyncTree(folder);
        var versions = Path.Combine(Root, VersionsFolder);
        Directory.CreateDirectory(versions);
        var target = Path.Combine(versions, version);
        if (Directory.Exists(target))
        {
            throw new IOException($"{target}: version {version} already exists");
        }
        PosixFiles.Rename(folder, target);
        PosixFiles.Sync(versions);
        PosixFiles.Sync(Root);
        return target;
    }

    /// <summary>The model's own version from its manifest when it has a usable one, else one from the time.</summary>
    private static string AdoptedVersionName(string directory)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(Path.Combine(directory, Jobs.JobOutputs.Model, ModelBundle.ManifestFile)));
            if (document.RootElement.TryGetProperty("model_version", out var version) && version.ValueKind == JsonValueKind.String
                && IsVersionName(version.GetString()))
            {
                return version.GetString()!;
            }
        }
        catch (Exception e) when (e is IOException or JsonException or UnauthorizedAccessException)
        {
            // No readable manifest: named after the time below.
        }
        return $"{DateTime.UtcNow:yyyyMMddTHHmmssZ}-adopted";
    }

    private static void MarkPublished(string version)
    {
        var marker = Path.Combine(version, PublishedFile);
        if (!File.Exists(marker))
        {
            File.WriteAllBytes(marker, []);
            PosixFiles.Sync(marker);
            PosixFiles.Sync(version);
        }
    }

    private void PointTo(string version)
    {
        var pointer = Path.Combine(Root, PointerPrefix + Guid.NewGuid().ToString("N"));
        File.CreateSymbolicLink(pointer, $"{VersionsFolder}/{version}");
        PosixFiles.Rename(pointer, Path.Combine(Root, CurrentLink));
        PosixFiles.Sync(Root);
    }

    /// <summary>Creates the fixed link of every output the current version holds and the top lacks.</summary>
    private void LinkOutputs()
    {
        var current = CurrentVersionDirectory;
        if (current is null)
        {
            return;
        }
        var linked = false;
        foreach (var output in _outputs)
        {
            var top = Path.Combine(Root, output);
            if (Path.Exists(Path.Combine(current, output)) && new FileInfo(top).LinkTarget is null && !Path.Exists(top))
            {
                File.CreateSymbolicLink(top, $"{CurrentLink}/{output}");
                linked = true;
            }
        }
        if (linked)
        {
            PosixFiles.Sync(Root);
        }
    }

    private void PruneLocked(int keepVersions)
    {
        var versions = Versions();
        var current = Path.GetFileName(CurrentVersionDirectory);
        foreach (var version in versions.Take(Math.Max(0, versions.Count - keepVersions)))
        {
            if (version == current)
            {
                continue;
            }
            var directory = Path.Combine(Root, VersionsFolder, version);
            using var exclusive = PosixFiles.TryLock(Path.Combine(directory, LeaseFile), exclusive: true, wait: false);
            if (exclusive is null)
            {
                LogKeptInUse(_logger, directory);
                continue;
            }
            RemoveVersion(directory);
        }
    }

    /// <summary>
    /// Takes a version out of <c>versions/</c> with one rename before deleting its files, so that a
    /// process killed part-way through the deletion never leaves a half-deleted version where the
    /// listing, or a recovery looking for the latest version to serve again, would find it.
    /// </summary>
    private void RemoveVersion(string directory)
    {
        var removing = Path.Combine(Root, RemovingPrefix + Guid.NewGuid().ToString("N"));
        PosixFiles.Rename(directory, removing);
        PosixFiles.Sync(Path.Combine(Root, VersionsFolder));
        PosixFiles.Sync(Root);
        Directory.Delete(removing, recursive: true);
    }

    private static void CheckVersionName(string version)
    {
        if (!IsVersionName(version))
        {
            throw new ArgumentException($"'{version}' cannot name a version: letters, digits, '-', '_' and '.' only", nameof(version));
        }
    }

    private static bool IsVersionName(string? version) =>
        !string.IsNullOrEmpty(version) && version[0] != '.' && version.All(c => char.IsAsciiLetterOrDigit(c) || c is '-' or '_' or '.');

    [LoggerMessage(Level = LogLevel.Warning, Message = "Removed {Path}: left by {What}")]
    private static partial void LogRemovedLeftover(ILogger logger, string path, string what);

    [LoggerMessage(Level = LogLevel.Warning, Message = "{Root}: current named no version; it names {Version} again")]
    private static partial void LogRepointed(ILogger logger, string root, string version);

    [LoggerMessage(Level = LogLevel.Information, Message = "{Root}: outputs of an earlier release kept as version {Version}")]
    private static partial void LogAdopted(ILogger logger, string root, string version);

    [LoggerMessage(Level = LogLevel.Information, Message = "Keeping {Directory}: a reader holds it")]
    private static partial void LogKeptInUse(ILogger logger, string directory);
}
