namespace Distributed.Ml.Refinement;

/// <summary>Settings of the self-labelling stage (<see cref="SelfLabelling"/>).</summary>
public sealed record SelfLabellingOptions
{
    /// <summary>
    /// Share of each cluster the CNN trains on, its most central members (<see cref="ConfidentSelection"/>);
    /// a member nearer another cluster's centroid is never taken. Default 1: every member on its own
    /// cluster's side. Taking only the central members left the CNN without the varied images at
    /// the clusters' edges, most of them correctly labelled: on MNIST seed 1 the refined labels
    /// were 0.949 right with the inner half, 0.966 with 0.8 and 0.975 with all (same CNN settings),
    /// against 0.971 for the clusters.
    /// </summary>
    public double ConfidentShare { get; init; } = 1;

    /// <summary>The CNN's training settings; its seed is the run's.</summary>
    public CnnClassifierOptions Cnn { get; init; } = new();
}
