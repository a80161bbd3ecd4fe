namespace Distributed.Grains.Storage;

/// <summary>
/// Writes files and directories so that readers see either the old content or the complete new
/// content, never a partial write: everything goes to a temporary sibling, is synced to disk
/// (unless the caller's files cannot outlive the process), then takes its name with one rename.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes a file through <paramref name="write"/> and renames it into place.</summary>
    /// <param name="path">The file.</param>
    /// <param name="write">Writes the content.</param>
    /// <param name="sync">
    /// Whether the content and the rename reach the disk before this returns. Without it readers
    /// still see the old or the whole new file, but a machine crash may lose the write: only for
    /// files that cannot outlive this process anyway.
    /// </param>
    public static void Write(string path, Action<Stream> write, bool sync = true)
    {
        ArgumentNullException.ThrowIfNull(write);
        var full = Path.GetFullPath(path);
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = TemporarySibling(full, "tmp");
        try
        {
            using (var stream = new FileStream(temporary, FileMode.CreateNew, FileAccess.Write, FileShare.None))
            {
                write(stream);
                stream.Flush(flushToDisk: sync);
            }
            File.Move(temporary, full, overwrite: true);
            if (sync)
            {
                // The rename is durable only once the directory that records it is.
                PosixFiles.Sync(Path.GetDirectoryName(full)!);
            }
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>
    /// Fills a fresh hidden directory through <paramref name="fill"/>, syncs it, and renames it to
    /// <paramref name="path"/>. A directory already there is one an interrupted earlier attempt
    /// wrote and nobody reads yet (a job's outputs in the store before the job records them); it is
    /// removed first. Directories that readers may hold open are published through
    /// <see cref="RunDirectory"/> instead.
    /// </summary>
    /// <param name="path">The directory.</param>
    /// <param name="fill">Writes the content into the directory it is given.</param>
    /// <param name="sync">Whether the content and the rename reach the disk first (see <see cref="Write"/>).</param>
    public static void WriteDirectory(string path, Action<string> fill, bool sync = true)
    {
        ArgumentNullException.ThrowIfNull(fill);
        var full = Path.GetFullPath(path.TrimEnd(Path.DirectorySeparatorChar));
        var parent = Path.GetDirectoryName(full)!;
        Directory.CreateDirectory(parent);
        var temporary = TemporarySibling(full, "tmp");
        Directory.CreateDirectory(temporary);
        try
        {
            fill(temporary);
            if (sync)
            {
                PosixFiles.SyncTree(temporary);
            }
            if (Directory.Exists(full))
            {
                Directory.Delete(full, recursive: true);
            }
            PosixFiles.Rename(temporary, full);
            if (sync)
            {
                PosixFiles.Sync(parent);
            }
        }
        catch
        {
            TryDeleteDirectory(temporary);
            throw;
        }
    }

    /// <summary>A unique hidden name beside <paramref name="path"/>.</summary>
    public static string TemporarySibling(string path, string purpose) =>
        Path.Combine(Path.GetDirectoryName(path)!, $".{Path.GetFileName(path)}.{purpose}-{Guid.NewGuid():N}");

    /// <summary>Deletes a directory tree, ignoring failures (best-effort cleanup).</summary>
    public static void TryDeleteDirectory(string path)
    {
        try
        {
            if (Directory.Exists(path))
            {
                Directory.Delete(path, recursive: true);
            }
        }
        catch (IOException)
        {
            // Cleanup of a temporary directory; the real outcome has already been decided.
        }
        catch (UnauthorizedAccessException)
        {
            // Same: leaving a hidden temporary directory behind is harmless.
        }
    }

    private static void TryDelete(string path)
    {
        try
        {
            File.Delete(path);
        }
        catch (IOException)
        {
            // Best-effort cleanup of a temporary file.
        }
        catch (UnauthorizedAccessException)
        {
            // Same.
        }
    }
}
