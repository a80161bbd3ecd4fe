using System.Globalization;
using System.Runtime.InteropServices;

namespace Distributed.Bench.Load;

/// <summary>
/// CPU time a process has used: utime + stime of <c>/proc/&lt;pid&gt;/stat</c> (all its threads,
/// user and kernel), in clock ticks of <c>sysconf(_SC_CLK_TCK)</c>, the figure <c>getconf CLK_TCK</c>
/// prints. Linux only, like the load scripts.
/// </summary>
internal static partial class ProcessCpu
{
    /// <summary>glibc's and musl's <c>_SC_CLK_TCK</c> (bits/confname.h).</summary>
    private const int ScClockTicks = 2;

    /// <summary>Index of utime (field 14 of proc(5)) among the fields after the command name, which start at field 3.</summary>
    private const int UserTimeField = 14 - 3;

    private static readonly long s_ticksPerSecond = sysconf(ScClockTicks);

    /// <summary>Seconds of CPU process <paramref name="pid"/> has used so far.</summary>
    /// <exception cref="IOException">The process does not exist (any more) or its stat line cannot be read.</exception>
    public static double Seconds(int pid)
    {
        var path = $"/proc/{pid}/stat";
        string line;
        try
        {
            line = File.ReadAllText(path);
        }
        catch (Exception e) when (e is FileNotFoundException or DirectoryNotFoundException or UnauthorizedAccessException)
        {
            throw new IOException($"cannot read {path}: is process {pid} running?", e);
        }
        // The command name (field 2) is in parentheses and may hold spaces or parentheses itself; the
        // numeric fields follow the last ')'.
        var fields = line[(line.LastIndexOf(')') + 2)..].Split(' ');
        if (fields.Length <= UserTimeField + 1 || s_ticksPerSecond <= 0)
        {
            throw new IOException($"{path}: unexpected stat line");
        }
        var ticks = long.Parse(fields[UserTimeField], CultureInfo.InvariantCulture) + long.Parse(fields[UserTimeField + 1], CultureInfo.InvariantCulture);
        return ticks / (double)s_ticksPerSecond;
    }

    [LibraryImport("libc", SetLastError = false)]
    private static partial nint sysconf(int name);
}
