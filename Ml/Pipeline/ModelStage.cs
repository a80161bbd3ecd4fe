namespace Distributed.Ml.Pipeline;

/// <summary>One fitted stage of a pipeline as persisted: its role, the model kind, and how to serialise it.</summary>
/// <param name="Name">Role in the pipeline: <c>features</c>, <c>reduce</c>, <c>cluster</c> or <c>classifier</c>.</param>
/// <param name="Kind">Model kind tag, e.g. <c>pca</c>, <c>kmeans</c>, <c>random-forest</c>.</param>
/// <param name="Save">Writes the fitted parameters to a stream.</param>
public sealed record ModelStage(string Name, string Kind, Action<Stream> Save);
