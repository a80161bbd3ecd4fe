using System.Diagnostics;
using Distributed.Ml.Neural;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Refinement;

/// <summary>
/// Trains a small convolutional classifier on labelled square images by mini-batch Adam on a
/// class-weighted softmax cross-entropy against smoothed targets, the step size following the
/// options' schedule (a cosine to zero by default), each epoch seeing every image once under a
/// fresh random shift and rotation (<see cref="ImageAugmentation"/>).
/// </summary>
/// <remarks>
/// The network is the one the notebooks this product replaces train on true labels: conv 32 →
/// pool → conv 64 → pool → conv 64 → dense 64 → classes, 3×3 kernels without padding, ReLU
/// after every hidden layer. The class weights make every class count equally in the loss
/// whatever its number of images, so a large pseudo-class cannot pull its neighbours' images in.
/// Weights, batch order and distortions come from the seed (<see cref="RandomStreams.Refinement"/>).
/// </remarks>
public static class CnnClassifier
{
    private const ulong WeightsStream = 0;
    private const ulong ShuffleStream = 1;
    private const ulong AugmentStream = 2;

    /// <summary>Width of the penultimate layer: the features a downstream classifier can read.</summary>
    public const int FeatureWidth = 64;

    /// <summary>
    /// Fits on the images of <paramref name="rows"/> (each row of <paramref name="images"/> a
    /// side × side image) with their <paramref name="labels"/> in [0, <paramref name="classes"/>).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled: it stops the training between two batches.</exception>
    public static CnnClassifierModel Fit(Matrix images, ReadOnlySpan<int> rows, ReadOnlySpan<int> labels, int classes, CnnClassifierOptions options,
        Action<CnnEpoch>? epochCompleted = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(options);
        var side = SideOf(images.Cols);
        Validate(images, rows, labels, classes, options);
        var weights = ClassWeights(labels, classes);
        var batchSize = Math.Min(options.BatchSize, rows.Length);
        var (layers, featureLayers) = Build(side, classes, Rng.Derive(options.Seed, RandomStreams.Refinement, WeightsStream));
        var network = new Network(layers, batchSize);
        var optimizer = new AdamOptimizer(network.Parameters, options.LearningRate);

        var pixels = images.Cols;
        var batch = new float[batchSize * pixels];
        var batchLabels = new int[batchSize];
        var batchWeights = new float[batchSize];
        var gradient = new float[batchSize * classes];
        var losses = new List<double>();
        // The stopping rule compares what is left above the least loss the targets allow, so that
        // smoothing, which raises that floor, does not make the loss look flat sooner.
        var floor = SoftmaxCrossEntropy.TargetEntropy(options.LabelSmoothing, classes);
        var batchesPerEpoch = (rows.Length + batchSize - 1) / batchSize;
        var totalBatches = options.Epochs * batchesPerEpoch;
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            var order = Rng.Derive(options.Seed, RandomStreams.Refinement, ShuffleStream, (ulong)epoch).Permutation(rows.Length);
            var distortions = Rng.Derive(options.Seed, RandomStreams.Refinement, AugmentStream, (ulong)epoch);
            double lossSum = 0;
            for (var start = 0; start < rows.Length; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var count = Math.Min(batchSize, rows.Length - start);
                for (var i = 0; i < count; i++)
                {
                    var sample = order[start + i];
                    ImageAugmentation.Apply(images.Row(rows[sample]), batch.AsSpan(i * pixels, pixels), side, options.MaxShift, options.MaxRotationDegrees, distortions);
                    batchLabels[i] = labels[sample];
                    batchWeights[i] = weights[labels[sample]];
                }
                optimizer.LearningRate = StepSize(options, epoch * batchesPerEpoch + start / batchSize, totalBatches);
                var logits = network.Forward(batch.AsSpan(0, count * pixels), count, training: true);
                var loss = SoftmaxCrossEntropy.Compute(logits, batchLabels.AsSpan(0, count), batchWeights.AsSpan(0, count), classes, gradient, options.LabelSmoothing);
                lossSum += loss * count;
                network.Backward(batch.AsSpan(0, count * pixels), gradient.AsSpan(0, count * classes), count);
                optimizer.Step();
            }
            var epochLoss = lossSum / rows.Length;
            if (!double.IsFinite(epochLoss))
            {
                throw new InvalidOperationException($"CNN training diverged at epoch {epoch + 1} (loss {epochLoss}); lower the learning rate.");
            }
            var seconds = clock.Elapsed.TotalSeconds;
            epochCompleted?.Invoke(new CnnEpoch(epoch + 1, options.Epochs, epochLoss, seconds, rows.Length / Math.Max(seconds, 1e-9)));
            var previous = losses.Count > 0 ? losses[^1] : double.PositiveInfinity;
            losses.Add(epochLoss);
            if (epochLoss - floor > (previous - floor) * (1 - options.MinRelativeImprovement))
            {
                break;
            }
        }
        return new CnnClassifierModel(network, featureLayers, classes, [.. losses]);
    }

    /// <summary>The step size of batch <paramref name="step"/> of <paramref name="steps"/> under the options' schedule.</summary>
    public static float StepSize(CnnClassifierOptions options, int step, int steps)
    {
        ArgumentNullException.ThrowIfNull(options);
        ArgumentOutOfRangeException.ThrowIfLessThan(steps, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(step);
        return options.Schedule switch
        {
            LearningRateSchedule.Constant => options.LearningRate,
            LearningRateSchedule.Cosine => (float)(options.LearningRate * 0.5 * (1 + Math.Cos(Math.PI * step / steps))),
            _ => throw new ArgumentOutOfRangeException(nameof(options), $"Unknown learning-rate schedule {options.Schedule}."),
        };
    }

    /// <summary>The side of the square images with <paramref name="pixels"/> values.</summary>
    /// <exception cref="ArgumentException">Not a square of at least 18 pixels a side (the smallest the network's three convolutions and two poolings fit).</exception>
    public static int SideOf(int pixels)
    {
        var side = (int)Math.Round(Math.Sqrt(pixels));
        if (side * side != pixels || side < 18)
        {
            throw new ArgumentException($"The CNN needs square images of at least 18×18 pixels, got rows of {pixels} values.");
        }
        return side;
    }

    /// <summary>Per-class loss weights: total / (classes present · class count), so each present class weighs the same in sum.</summary>
    internal static float[] ClassWeights(ReadOnlySpan<int> labels, int classes)
    {
        var counts = new int[classes];
        foreach (var label in labels)
        {
            counts[label]++;
        }
        var present = counts.Count(c => c > 0);
        var total = (double)labels.Length;
        return Array.ConvertAll(counts, c => c == 0 ? 0f : (float)(total / (present * c)));
    }

    private static (Layer[] Layers, int FeatureLayers) Build(int side, int classes, Rng rng)
    {
        var layers = new List<Layer>();
        Activation.AppendWithRelu(layers, new Conv2d(new TensorShape(side, side, 1), 32, 3, 1, 0, rng));
        layers.Add(new MaxPool2d(layers[^1].OutputShape, 2, 2));
        Activation.AppendWithRelu(layers, new Conv2d(layers[^1].OutputShape, 64, 3, 1, 0, rng));
        layers.Add(new MaxPool2d(layers[^1].OutputShape, 2, 2));
        Activation.AppendWithRelu(layers, new Conv2d(layers[^1].OutputShape, 64, 3, 1, 0, rng));
        Activation.AppendWithRelu(layers, new Dense(layers[^1].OutputShape, TensorShape.Vector(FeatureWidth), rng));
        var featureLayers = layers.Count;
        layers.Add(new Dense(FeatureWidth, classes, rng));
        return ([.. layers], featureLayers);
    }

    private static void Validate(Matrix images, ReadOnlySpan<int> rows, ReadOnlySpan<int> labels, int classes, CnnClassifierOptions options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(classes, 2);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        if (!(options.LearningRate > 0f) || !float.IsFinite(options.LearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Learning rate must be positive, got {options.LearningRate}.");
        }
        if (!(options.LabelSmoothing is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Label smoothing must be in [0, 1), got {options.LabelSmoothing}.");
        }
        if (!Enum.IsDefined(options.Schedule))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Unknown learning-rate schedule {options.Schedule}.");
        }
        if (!(options.MinRelativeImprovement is >= 0 and < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Minimum relative improvement must be in [0, 1), got {options.MinRelativeImprovement}.");
        }
        if (!(options.MaxShift >= 0) || !(options.MaxRotationDegrees is >= 0 and <= 180))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Augmentation needs a shift ≥ 0 and a rotation in [0, 180] degrees, got {options.MaxShift} and {options.MaxRotationDegrees}.");
        }
        if (rows.Length == 0 || rows.Length != labels.Length)
        {
            throw new ArgumentException($"The CNN needs at least one training image and one label per image, got {rows.Length} rows and {labels.Length} labels.");
        }
        foreach (var row in rows)
        {
            if ((uint)row >= (uint)images.Rows)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), $"Row {row} is outside 0..{images.Rows - 1}.");
            }
        }
        foreach (var label in labels)
        {
            if ((uint)label >= (uint)classes)
            {
                throw new ArgumentOutOfRangeException(nameof(labels), $"Label {label} is outside 0..{classes - 1}.");
            }
        }
    }
}
