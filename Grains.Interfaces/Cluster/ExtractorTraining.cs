namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Progress of an extractor's (or the self-labelling CNN's) training.</summary>
/// <param name="State">Where it stands.</param>
/// <param name="ModelRef">Store reference of the fitted model once done.</param>
/// <param name="TrainingLoss">Loss per epoch once done (empty for extractors without training); while the CNN trains, its finished epochs' losses.</param>
/// <param name="Error">Why training failed.</param>
/// <param name="Backend">The compute backend that trains (e.g. <c>cpu</c>).</param>
/// <param name="SiloId">The silo that trains.</param>
/// <param name="Seconds">Time spent training so far.</param>
[GenerateSerializer, Immutable]
public sealed record ExtractorTraining(TrainingState State, string? ModelRef, double[] TrainingLoss, string? Error, string Backend, string SiloId, double Seconds);
