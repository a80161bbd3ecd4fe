namespace Distributed.Ml.Refinement;

/// <summary>How the self-labelling CNN's step size changes over its training (<see cref="CnnClassifierOptions.Schedule"/>).</summary>
public enum LearningRateSchedule
{
    /// <summary>The same step size throughout.</summary>
    Constant,

    /// <summary>
    /// Half a cosine from the full step size at the first batch to zero after the last batch of the
    /// epoch limit (Loshchilov and Hutter, "SGDR", 2017, without restarts): large steps while the
    /// network finds the pattern shared by most images of a class, small ones at the end, so the
    /// last updates do not chase the last few batches' labels.
    /// </summary>
    Cosine,
}
