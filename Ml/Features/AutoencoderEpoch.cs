namespace Distributed.Ml.Features;

/// <summary>Progress of one finished training epoch.</summary>
/// <param name="Epoch">1-based epoch number.</param>
/// <param name="MaxEpochs">The epoch limit.</param>
/// <param name="Loss">Mean reconstruction loss over the epoch's batches.</param>
/// <param name="Seconds">Wall time of the epoch.</param>
/// <param name="RowsPerSecond">Training throughput.</param>
public sealed record AutoencoderEpoch(int Epoch, int MaxEpochs, double Loss, double Seconds, double RowsPerSecond);
