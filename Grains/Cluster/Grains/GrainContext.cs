using System.Diagnostics;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Ml.Features;
using Distributed.Ml.Pipeline;
using MassTransit;

namespace Distributed.Grains.Cluster.Grains;

/// <summary>What every grain needs: the store, this silo's identity, and the shard-work answer.</summary>
public sealed class GrainContext(ShardStore store, SiloOptions options)
{
    /// <summary>The shared store.</summary>
    public ShardStore Store { get; } = store;

    /// <summary>This silo's id.</summary>
    public string SiloId { get; } = options.SiloId;

    /// <summary>
    /// Runs one unit of shard work and answers <see cref="ShardCompleted"/>. Work whose output is
    /// already in the store (a redelivered or repeated request) is not done again: outputs are
    /// pure functions of their inputs and written atomically, so the file there is the answer.
    /// </summary>
    public async Task Complete<T>(ConsumeContext<T> context, Guid jobId, int shard, string outputRef, Action work)
        where T : class
    {
        ArgumentNullException.ThrowIfNull(context);
        ArgumentNullException.ThrowIfNull(work);
        var clock = Stopwatch.StartNew();
        if (!Store.Exists(outputRef))
        {
            work();
        }
        await context.RespondAsync(new ShardCompleted(jobId, shard, outputRef, SiloId, clock.Elapsed.TotalSeconds)).ConfigureAwait(false);
    }

    /// <summary>Reference of a fitted model file: <c>&lt;dir&gt;/&lt;name&gt;.&lt;kind&gt;.bin</c>.</summary>
    public static string ModelRef(string directory, string name, string kind) => $"{directory}/{name}.{kind}.bin";

    /// <summary>Reads a fitted transform; its kind comes from the file name (see <see cref="ModelRef"/>).</summary>
    public IFittedTransform ReadTransform(string reference) =>
        Store.Read(reference, stream => PipelineModel.LoadTransform(KindOf(reference), stream));

    /// <summary>The kind part of a model reference.</summary>
    public static string KindOf(string reference)
    {
        var parts = Path.GetFileName(reference).Split('.');
        return parts.Length >= 3 ? parts[^2] : throw new ArgumentException($"model reference '{reference}' has no kind", nameof(reference));
    }
}
