namespace Distributed.Ml.Refinement;

/// <summary>Progress of one finished epoch of the self-labelling CNN.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="MaxEpochs">The epoch limit.</param>
/// <param name="Loss">Mean weighted cross-entropy over the epoch.</param>
/// <param name="Seconds">Wall time of the epoch.</param>
/// <param name="RowsPerSecond">Training throughput.</param>
public sealed record CnnEpoch(int Epoch, int MaxEpochs, double Loss, double Seconds, double RowsPerSecond);
