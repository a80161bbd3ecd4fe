namespace Distributed.Ml.Features;

/// <summary>
/// Where <see cref="Autoencoder"/>'s mini-batch steps compute (the CPU layers, or the device kernels
/// of <see cref="Gpu.GpuAutoencoder"/>). The loop around the steps (training sample, seeded weights,
/// the shuffled batch order, epoch losses, the plateau stop) is <see cref="Autoencoder"/>'s alone, so
/// every backend trains the same network from the same start on the same batches.
/// </summary>
internal interface IAutoencoderSteps : IDisposable
{
    /// <summary>One Adam step that reconstructs <paramref name="count"/> rows (count × input values in <paramref name="batch"/>).</summary>
    void Step(ReadOnlySpan<float> batch, int count);

    /// <summary>
    /// Σ over this epoch's steps, in step order, of the batch's mean loss × its rows, so the epoch loss
    /// is the mean over rows whatever the last batch's size; the next epoch starts from 0.
    /// </summary>
    double TakeEpochLossSum();

    /// <summary>Leaves the trained parameters in the network's layers (the device backend keeps them on the device until then).</summary>
    void CopyParametersToNetwork();
}
