namespace Distributed.Ml.Neural;

/// <summary>Reconstruction losses, averaged over every value of the batch.</summary>
public enum LossFunction
{
    /// <summary>Mean squared error on a linear output (N2D's loss).</summary>
    MeanSquaredError,

    /// <summary>
    /// Binary cross-entropy of targets in [0, 1] against sigmoid(output): the network's last layer
    /// stays linear and the loss works on logits, which avoids log(0) and the vanishing gradient of
    /// a saturated sigmoid.
    /// </summary>
    BinaryCrossEntropy,
}
