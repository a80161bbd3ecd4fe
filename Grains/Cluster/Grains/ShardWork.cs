using System.Diagnostics;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Monitoring;

namespace Distributed.Grains.Cluster.Grains;

/// <summary>One unit of shard work and its answer, shared by the grains that write a store output.</summary>
internal static class ShardWork
{
    /// <summary>
    /// Runs <paramref name="work"/> off the grain's scheduler unless its output is already in the
    /// store (a retried call): outputs are pure functions of their inputs and written atomically, so
    /// the file there is the answer. Counts the work as <paramref name="operation"/> done by a silo of
    /// <paramref name="role"/>.
    /// </summary>
    public static async Task<ShardCompleted> RunAsync(ShardStore store, SiloOptions silo, ClusterMetrics metrics, string role, ShardOperation operation,
        string outputRef, Action work)
    {
        var clock = Stopwatch.StartNew();
        if (!store.Exists(outputRef))
        {
            await Task.Run(work).ConfigureAwait(true);
        }
        metrics.ShardProcessed(role, operation);
        return new ShardCompleted(outputRef, silo.SiloId, clock.Elapsed.TotalSeconds);
    }
}
