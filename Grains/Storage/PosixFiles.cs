using System.Runtime.InteropServices;

namespace Distributed.Grains.Storage;

/// <summary>
/// The POSIX calls durable publication needs and .NET does not offer: fsync of files and
/// directories (.NET flushes a file it has open for writing, but cannot open a directory, and a
/// rename is durable only once its directory is synced), <c>rename</c> of a symbolic link over
/// another, <c>realpath</c>, and advisory <c>flock</c> locks. Linux and other Unix systems.
/// </summary>
public static partial class PosixFiles
{
    private const int ReadOnly = 0;
    private const int Create = 0x40;
    private const int OwnerReadWriteOthersRead = 0x1a4;
    private const int LockShared = 1;
    private const int LockExclusive = 2;
    private const int LockNonBlocking = 4;
    private const int Interrupted = 4;

    /// <summary>Writes a file's or a directory's data and metadata to the device.</summary>
    /// <exception cref="IOException">The path cannot be opened or synced.</exception>
    public static void Sync(string path)
    {
        var descriptor = Open(path, ReadOnly);
        if (descriptor < 0)
        {
            throw new IOException($"{path}: cannot open to sync: {Marshal.GetLastPInvokeErrorMessage()}");
        }
        try
        {
            if (Fsync(descriptor) != 0)
            {
                throw new IOException($"{path}: fsync failed: {Marshal.GetLastPInvokeErrorMessage()}");
            }
        }
        finally
        {
            _ = Close(descriptor);
        }
    }

    /// <summary>Syncs every file and directory under <paramref name="directory"/>, deepest first, then the directory itself.</summary>
    public static void SyncTree(string directory)
    {
        foreach (var file in Directory.EnumerateFiles(directory))
        {
            Sync(file);
        }
        foreach (var child in Directory.EnumerateDirectories(directory))
        {
            SyncTree(child);
        }
        Sync(directory);
    }

    /// <summary>
    /// Renames <paramref name="source"/> to <paramref name="target"/> in one step, replacing a file or
    /// symbolic link there (never following it): readers see the old entry or the new one.
    /// </summary>
    /// <exception cref="IOException">The rename failed.</exception>
    public static void Rename(string source, string target)
    {
        if (RenameCall(source, target) != 0)
        {
            throw new IOException($"{target}: cannot rename {Path.GetFileName(source)} into place: {Marshal.GetLastPInvokeErrorMessage()}");
        }
    }

    /// <summary>The path with every symbolic link resolved, or null when some part of it does not exist.</summary>
    public static string? ResolveLinks(string path) => RealPath(path, 0);

    /// <summary>
    /// Takes a shared (readers) or exclusive (writers) lock on <paramref name="lockFile"/>, creating
    /// it; null when another holder's lock conflicts and <paramref name="wait"/> is false. The lock
    /// lasts until the returned handle is disposed or the process ends, whatever way it ends.
    /// </summary>
    public static IDisposable? TryLock(string lockFile, bool exclusive, bool wait)
    {
        // Opened with open(2), not FileStream: .NET's own emulation of FileShare takes flock locks
        // too, and its open would fail at once on a file another holder has locked, not wait.
        var descriptor = OpenMode(lockFile, ReadOnly | Create, OwnerReadWriteOthersRead);
        if (descriptor < 0)
        {
            throw new IOException($"{lockFile}: cannot open the lock file: {Marshal.GetLastPInvokeErrorMessage()}");
        }
        var handle = new Microsoft.Win32.SafeHandles.SafeFileHandle(descriptor, ownsHandle: true);
        var operation = (exclusive ? LockExclusive : LockShared) | (wait ? 0 : LockNonBlocking);
        while (true)
        {
            if (Flock(descriptor, operation) == 0)
            {
                return handle;
            }
            var error = Marshal.GetLastPInvokeError();
            if (error == Interrupted)
            {
                continue;
            }
            handle.Dispose();
            if (!wait)
            {
                return null;
            }
            throw new IOException($"{lockFile}: cannot lock: {Marshal.GetPInvokeErrorMessage(error)}");
        }
    }

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int Open(string path, int flags);

    [LibraryImport("libc", EntryPoint = "open", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int OpenMode(string path, int flags, int mode);

    [LibraryImport("libc", EntryPoint = "rename", SetLastError = true, StringMarshalling = StringMarshalling.Utf8)]
    private static partial int RenameCall(string source, string target);

    // With a null buffer realpath allocates the answer with malloc; the string marshaller frees it.
    [LibraryImport("libc", EntryPoint = "realpath", StringMarshalling = StringMarshalling.Utf8)]
    private static partial string? RealPath(string path, nint resolved);

    [LibraryImport("libc", EntryPoint = "fsync", SetLastError = true)]
    private static partial int Fsync(int descriptor);

    [LibraryImport("libc", EntryPoint = "close", SetLastError = true)]
    private static partial int Close(int descriptor);

    [LibraryImport("libc", EntryPoint = "flock", SetLastError = true)]
    private static partial int Flock(int descriptor, int operation);
}
