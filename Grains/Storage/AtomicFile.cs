namespace Distributed.Grains.Storage;

/// <summary>
/// Writes files and directories so that readers see either the old content or the complete new
/// content, never a partial write: everything goes to a temporary sibling, then one rename.
/// </summary>
public static class AtomicFile
{
    /// <summary>Writes a file through <paramref name="write"/> and renames it into place.</summary>
    public static void Write(string path, Action<Stream> write)
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
                stream.Flush(flushToDisk: true);
            }
            File.Move(temporary, full, overwrite: true);
        }
        catch
        {
            TryDelete(temporary);
            throw;
        }
    }

    /// <summary>Fills a fresh temporary directory through <paramref name="fill"/>, then swaps it in for <paramref name="path"/>.</summary>
    public static void WriteDirectory(string path, Action<string> fill)
    {
        ArgumentNullException.ThrowIfNull(fill);
        var full = Path.GetFullPath(path.TrimEnd(Path.DirectorySeparatorChar));
        Directory.CreateDirectory(Path.GetDirectoryName(full)!);
        var temporary = TemporarySibling(full, "tmp");
        Directory.CreateDirectory(temporary);
        try
        {
            fill(temporary);
            MoveDirectoryIntoPlace(temporary, full);
        }
        catch
        {
            TryDeleteDirectory(temporary);
            throw;
        }
    }

    /// <summary>Replaces <paramref name="target"/> (file or directory) by <paramref name="source"/>; an old directory is removed after the swap.</summary>
    public static void MoveDirectoryIntoPlace(string source, string target)
    {
        if (Directory.Exists(target))
        {
            var old = TemporarySibling(target, "old");
            Directory.Move(target, old);
            Directory.Move(source, target);
            TryDeleteDirectory(old);
        }
        else
        {
            Directory.Move(source, target);
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
