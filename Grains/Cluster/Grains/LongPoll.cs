namespace Distributed.Grains.Cluster.Grains;

/// <summary>Waits of the calls that report the end of background work as soon as it comes.</summary>
internal static class LongPoll
{
    /// <summary>Returns when <paramref name="work"/> has ended or after <paramref name="longest"/> (at most <paramref name="cap"/>), whichever comes first.</summary>
    public static async Task UntilEndedAsync(Task work, TimeSpan longest, TimeSpan cap)
    {
        if (work.IsCompleted || longest <= TimeSpan.Zero)
        {
            return;
        }
        using var timer = new CancellationTokenSource();
        if (await Task.WhenAny(work, Task.Delay(longest < cap ? longest : cap, timer.Token)).ConfigureAwait(true) == work)
        {
            // Stop the timer rather than leave it running to its end.
            await timer.CancelAsync().ConfigureAwait(true);
        }
    }
}
