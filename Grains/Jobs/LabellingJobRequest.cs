using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Jobs;

/// <summary>A request to fit the labelling pipeline on a file of images and write its outputs.</summary>
/// <param name="ImagesPath">Images to label (.npy, IDX or CSV).</param>
/// <param name="OutputDirectory">Where <c>model/</c>, <c>assignments.npy</c> and <c>metrics.json</c> go.</param>
/// <param name="Options">Pipeline options.</param>
/// <param name="LabelsPath">True labels, used only to evaluate the result.</param>
/// <param name="KnownLabelsPath">
/// Labels of every image, of which a seeded <see cref="PipelineOptions.KnownFraction"/> is treated
/// as known: label spreading labels the rest, the forest learns the spread labels, and the labels
/// of the rest are used only to score the spreading.
/// </param>
public sealed record LabellingJobRequest(string ImagesPath, string OutputDirectory, PipelineOptions Options, string? LabelsPath = null, string? KnownLabelsPath = null);
