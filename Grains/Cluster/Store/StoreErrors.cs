namespace Distributed.Grains.Cluster.Store;

/// <summary>
/// Tells store I/O errors that can pass (a full disk or quota, a failing device or network file
/// system, an I/O timeout) from those that cannot (a missing or malformed file, a bug). A job
/// pauses and retries on the first kind and fails at once on the second.
/// </summary>
public static class StoreErrors
{
    // Linux errno values .NET puts in an IOException's HResult: EIO, EAGAIN, ENOSPC, ETIMEDOUT, EDQUOT.
    private static readonly int[] s_transientErrnos = [5, 11, 28, 110, 122];

    // The same errors' strerror texts, for an error that crossed a grain call or a training
    // status as text (its HResult is not carried there).
    private static readonly string[] s_transientTexts = ["No space left on device", "Disk quota exceeded", "Input/output error", "Connection timed out", "Resource temporarily unavailable"];

    /// <summary>The message of the error in <paramref name="failure"/> (or its inner errors) that can pass, or null when it has none.</summary>
    public static string? TransientCause(Exception failure)
    {
        ArgumentNullException.ThrowIfNull(failure);
        var pending = new Stack<Exception>([failure]);
        while (pending.TryPop(out var e))
        {
            if ((e.GetType() == typeof(IOException) && s_transientErrnos.Contains(e.HResult))
                || s_transientTexts.Any(text => e.Message.Contains(text, StringComparison.Ordinal)))
            {
                return e.Message;
            }
            if (e is AggregateException aggregate)
            {
                foreach (var inner in aggregate.InnerExceptions)
                {
                    pending.Push(inner);
                }
            }
            else if (e.InnerException is { } inner)
            {
                pending.Push(inner);
            }
        }
        return null;
    }
}
