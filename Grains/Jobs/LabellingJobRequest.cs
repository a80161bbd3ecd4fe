using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Jobs;

/// <summary>A request to fit the labelling pipeline on a file of images and write its outputs.</summary>
/// <param name="ImagesPath">Images to label (.npy, IDX or CSV).</param>
/// <param name="OutputDirectory">Where <c>model/</c>, <c>assignments.npy</c>, <c>metrics.json</c> and <c>report.html</c> are published, as a new version.</param>
/// <param name="Options">Pipeline options.</param>
/// <param name="LabelsPath">True labels, used only to evaluate the result.</param>
/// <param name="KnownLabelsPath">
/// Labels of every image, of which a seeded <see cref="PipelineOptions.KnownFraction"/> is treated
/// as known: label spreading labels the rest, the forest learns the spread labels, and the labels
/// of the rest are used only to score the spreading.
/// </param>
/// <param name="KeepVersions">Versions of the outputs kept in <paramref name="OutputDirectory"/>, the new one included (see <see cref="Storage.RunDirectory"/>).</param>
/// <param name="KeepJobData">On a cluster, keep the job's shards and intermediates in the store after its outputs are published (for debugging).</param>
public sealed record LabellingJobRequest(string ImagesPath, string OutputDirectory, PipelineOptions Options, string? LabelsPath = null, string? KnownLabelsPath = null,
    int KeepVersions = Storage.RunDirectory.DefaultKeepVersions, bool KeepJobData = false);
