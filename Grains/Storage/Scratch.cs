namespace Distributed.Grains.Storage;

/// <summary>A locked working directory of a run (see <see cref="RunDirectory.CreateScratch"/>).</summary>
public sealed class Scratch(string path, IDisposable hold, string? createdRoot) : IDisposable
{
    /// <summary>The directory.</summary>
    public string Path { get; } = path;

    /// <summary>
    /// Removes the directory and releases it; a run directory created for it and still empty (the
    /// run failed before publishing) goes too, so a failed run leaves nothing behind.
    /// </summary>
    public void Dispose()
    {
        AtomicFile.TryDeleteDirectory(Path);
        hold.Dispose();
        if (createdRoot is not null && Directory.Exists(createdRoot) && !Directory.EnumerateFileSystemEntries(createdRoot).Any())
        {
            Directory.Delete(createdRoot);
        }
    }
}
