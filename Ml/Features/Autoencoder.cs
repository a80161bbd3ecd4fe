using System.Diagnostics;
using Distributed.Ml.Neural;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Features;

/// <summary>
/// Trains an autoencoder on unlabelled rows (images scaled to [0, 1]) by mini-batch Adam on the
/// reconstruction loss; the bottleneck activations are the features.
/// </summary>
/// <remarks>
/// Weights, the optional training sample and each epoch's shuffle come from the seed
/// (<see cref="RandomStreams.Features"/>), so a fit is reproducible on the same machine and BLAS
/// backend. Training stops at <see cref="AutoencoderOptions.Epochs"/> or earlier when the loss plateaus.
/// </remarks>
public static class Autoencoder
{
    private const ulong WeightsStream = 0;
    private const ulong SampleStream = 1;
    private const ulong ShuffleStream = 2;

    /// <summary>
    /// Fits an autoencoder on the CPU; <paramref name="epochCompleted"/> is told about every epoch.
    /// <paramref name="cancellationToken"/> stops the training between two batches (a host shutting down).
    /// </summary>
    /// <exception cref="OperationCanceledException"><paramref name="cancellationToken"/> was cancelled.</exception>
    public static AutoencoderModel Fit(Matrix rows, AutoencoderOptions options, Action<AutoencoderEpoch>? epochCompleted = null, CancellationToken cancellationToken = default) =>
        Fit(rows, options, epochCompleted, (network, _) => new CpuAutoencoderSteps(network, options), cancellationToken);

    /// <summary>
    /// The one training loop: seeded sample, weights and batch order, epoch losses and the plateau
    /// stop here; the steps themselves where <paramref name="steps"/> computes them (CPU layers or a
    /// device), given the seeded network and the rows of one epoch.
    /// </summary>
    internal static AutoencoderModel Fit(Matrix rows, AutoencoderOptions options, Action<AutoencoderEpoch>? epochCompleted,
        Func<Network, int, IAutoencoderSteps> steps, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(steps);
        Validate(rows, options);

        var training = options.MaxTrainingRows > 0 && options.MaxTrainingRows < rows.Rows
            ? rows.SelectRows(Rng.Derive(options.Seed, RandomStreams.Features, SampleStream).SampleWithoutReplacement(rows.Rows, options.MaxTrainingRows))
            : rows;
        var (layers, encoderLayers) = AutoencoderNetworks.Build(options.Architecture, rows.Cols, options.EmbeddingSize, options.DenseHidden,
            Rng.Derive(options.Seed, RandomStreams.Features, WeightsStream));
        var batchSize = Math.Min(options.BatchSize, training.Rows);
        var network = new Network(layers, batchSize);
        using var stepper = steps(network, training.Rows);

        var batch = new float[batchSize * rows.Cols];
        var losses = new List<double>();
        var best = double.PositiveInfinity;
        var epochsWithoutProgress = 0;
        for (var epoch = 0; epoch < options.Epochs; epoch++)
        {
            var clock = Stopwatch.StartNew();
            var order = Rng.Derive(options.Seed, RandomStreams.Features, ShuffleStream, (ulong)epoch).Permutation(training.Rows);
            for (var start = 0; start < training.Rows; start += batchSize)
            {
                cancellationToken.ThrowIfCancellationRequested();
                var count = Math.Min(batchSize, training.Rows - start);
                var input = batch.AsSpan(0, count * rows.Cols);
                for (var r = 0; r < count; r++)
                {
                    training.Row(order[start + r]).CopyTo(input.Slice(r * rows.Cols, rows.Cols));
                }
                stepper.Step(input, count);
            }
            var loss = stepper.TakeEpochLossSum() / training.Rows;
            if (!double.IsFinite(loss))
            {
                throw new InvalidOperationException($"Autoencoder training diverged at epoch {epoch + 1} (loss {loss}); lower the learning rate.");
            }
            losses.Add(loss);
            var seconds = clock.Elapsed.TotalSeconds;
            epochCompleted?.Invoke(new AutoencoderEpoch(epoch + 1, options.Epochs, loss, seconds, training.Rows / Math.Max(seconds, 1e-9)));
            if (loss < best * (1 - options.MinRelativeImprovement))
            {
                best = loss;
                epochsWithoutProgress = 0;
            }
            else if (++epochsWithoutProgress >= options.Patience)
            {
                break;
            }
        }
        stepper.CopyParametersToNetwork();
        return new AutoencoderModel(network, encoderLayers, options.Loss, [.. losses], losses.Count < options.Epochs);
    }

    private static void Validate(Matrix rows, AutoencoderOptions options)
    {
        if (rows.Rows < 1)
        {
            throw new ArgumentException("The autoencoder needs at least one training row.", nameof(rows));
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(options.EmbeddingSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Epochs, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.BatchSize, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(options.Patience, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(options.MaxTrainingRows);
        if (!(options.LearningRate > 0f) || !float.IsFinite(options.LearningRate))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Learning rate must be positive, got {options.LearningRate}.");
        }
        if (!(options.MinRelativeImprovement >= 0 && options.MinRelativeImprovement < 1))
        {
            throw new ArgumentOutOfRangeException(nameof(options), $"Minimum relative improvement must be in [0, 1), got {options.MinRelativeImprovement}.");
        }
    }
}
