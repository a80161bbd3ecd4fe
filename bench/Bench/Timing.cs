using System.Diagnostics;

namespace Distributed.Bench;

/// <summary>Wall-clock measurement of one operation, after a full garbage collection.</summary>
internal static class Timing
{
    public static (T Result, double Seconds) Measure<T>(Func<T> operation)
    {
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        var start = Stopwatch.GetTimestamp();
        var result = operation();
        var seconds = Stopwatch.GetElapsedTime(start).TotalSeconds;
        return (result, seconds);
    }

    /// <summary>Median of the values (which are reordered).</summary>
    public static double Median(double[] values)
    {
        Array.Sort(values);
        var middle = values.Length / 2;
        return values.Length % 2 == 1 ? values[middle] : (values[middle - 1] + values[middle]) / 2;
    }

    /// <summary>The value below which <paramref name="fraction"/> of the sorted values lie (nearest rank).</summary>
    public static double Percentile(double[] sorted, double fraction) =>
        sorted[Math.Clamp((int)Math.Ceiling(fraction * sorted.Length) - 1, 0, sorted.Length - 1)];
}
