using Distributed.Ml.Features;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Cluster.Store;

/// <summary>References of fitted model files in the store: <c>&lt;dir&gt;/&lt;name&gt;.&lt;kind&gt;.bin</c>, so a reader knows the kind.</summary>
public static class ModelRefs
{
    /// <summary>Reference of a fitted model file.</summary>
    public static string Of(string directory, string name, string kind) => $"{directory}/{name}.{kind}.bin";

    /// <summary>The kind part of a model reference.</summary>
    /// <exception cref="ArgumentException">The reference names no kind.</exception>
    public static string KindOf(string reference)
    {
        var parts = Path.GetFileName(reference).Split('.');
        return parts.Length >= 3 ? parts[^2] : throw new ArgumentException($"model reference '{reference}' has no kind", nameof(reference));
    }

    /// <summary>Reads a fitted transform (extractor or reducer).</summary>
    public static IFittedTransform ReadTransform(this ShardStore store, string reference)
    {
        ArgumentNullException.ThrowIfNull(store);
        return store.Read(reference, stream => PipelineModel.LoadTransform(KindOf(reference), stream));
    }
}
