namespace Distributed.Client;

/// <summary>Runtime settings of a process that serves predictions (<c>serve</c>), set before anything starts the thread pool.</summary>
internal static class ServingRuntime
{
    /// <summary>
    /// The thread pool's idle workers spin (yielding the core in a loop) before they sleep. Every
    /// request wakes workers for a few microseconds of I/O, so on a server they spin between almost
    /// every two requests: with the default limit (70) a third of <c>serve</c>'s CPU went to
    /// <c>sched_yield</c> (single-image requests, one at a time, on 2 cores: 1,623 µs of CPU per
    /// request; 977 µs with no spinning, at a higher rate and lower p50). The batch work of
    /// <c>run</c> keeps the default: its parallel loops hand over work fast enough for the spin to pay.
    /// Predictor silos get the same through their environment (<c>DOTNET_ThreadPool_UnfairSemaphoreSpinLimit</c>).
    /// </summary>
    public static void Configure() => AppContext.SetData("System.Threading.ThreadPool.UnfairSemaphoreSpinLimit", 0);
}
