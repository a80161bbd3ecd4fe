using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Serving;

/// <summary>A prediction with the model that made it: its version and its cluster names (null when unnamed).</summary>
public sealed record PredictionAnswer(string ModelVersion, IReadOnlyDictionary<int, string>? ClusterNames, PipelinePrediction Prediction);
