using Distributed.Ml.Clustering;
using Distributed.Ml.Features;
using Distributed.Ml.Forest;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Pipeline;

/// <summary>Every fitted stage of one run and the rows they were fitted on, ready to be scored and reported.</summary>
/// <param name="Extractor">Feature extractor; null for pixels.</param>
/// <param name="Reducer">Reducer; null without reduction.</param>
/// <param name="Embedded">The rows the clustering saw (n × reduced dimensions).</param>
/// <param name="ClassifierRows">The rows the forest predicts from: <paramref name="Embedded"/>, the pixels or the CNN's features.</param>
/// <param name="Clustering">The clustering and its labels.</param>
/// <param name="Training">The forest's training set.</param>
/// <param name="Forest">The forest trained on <paramref name="Training"/>.</param>
/// <param name="PixelNovelty">The pixel novelty check, fitted on the seeded sample <see cref="SubspaceNoveltyModel.SampleRows"/> names.</param>
public sealed record FittedStages(
    IFittedTransform? Extractor,
    IFittedTransform? Reducer,
    Matrix Embedded,
    Matrix ClassifierRows,
    ClusteringOutcome Clustering,
    PseudoLabelledTraining Training,
    RandomForestModel Forest,
    SubspaceNoveltyModel PixelNovelty);
