namespace Distributed.Ml.Pipeline;

/// <summary>A fitted pipeline, the cluster of every training image and the run's measurements.</summary>
/// <param name="Model">All fitted stages.</param>
/// <param name="Assignments">Cluster id of each training image (−1 for noise).</param>
/// <param name="Report">Measurements of the run.</param>
/// <param name="PseudoLabels">Labels the forest learned: <paramref name="Assignments"/>, or label spreading's labels when known labels were given.</param>
public sealed record PipelineResult(PipelineModel Model, int[] Assignments, PipelineReport Report, int[] PseudoLabels);
