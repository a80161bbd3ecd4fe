using Distributed.Ml.Numerics;

namespace Distributed.Ml.Pipeline;

/// <summary>
/// What a model's prediction stages read of some images: the images, and the embedding and the
/// CNN's features where a stage reads them (null where none does, as they are not computed).
/// </summary>
/// <param name="Images">The images, n × 784 in [0, 1].</param>
/// <param name="Embedded">Their embedding (the space the clusters live in), or null.</param>
/// <param name="CnnFeatures">The self-labelling CNN's penultimate activations, or null.</param>
public sealed record PredictionInputs(Matrix Images, Matrix? Embedded, Matrix? CnnFeatures);
