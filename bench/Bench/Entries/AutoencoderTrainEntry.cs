using Distributed.Ml.Features;
using Distributed.Ml.Neural;
using Distributed.Ml.Numerics;
using static System.FormattableString;

namespace Distributed.Bench.Entries;

/// <summary>
/// <c>autoencoder_train</c> (dense N2D network 784-500-500-2000-10, mirrored) and
/// <c>autoencoder_train_conv</c> (DCEC's convolutional network): training throughput of
/// <see cref="Autoencoder.Fit"/> on the prepared pixels, against the same network in PyTorch
/// (CPU, float32) with the same batch size (256), optimiser (Adam, lr 1e-3), loss (MSE) and
/// thread count. A fixed number of epochs is timed (config <c>autoencoder_epochs</c>: 2 in full
/// mode, 1 with <c>--quick</c>); the plateau stop cannot end it earlier.
/// </summary>
/// <remarks>
/// Seconds are the sum of the per-epoch wall times <see cref="Autoencoder.Fit"/> reports, i.e.
/// the epochs only: building and initialising the network is outside (the notes give the whole
/// fit's wall time too). Quality: the final epoch's mean reconstruction MSE over its batches
/// (the training loss as it is accumulated during the epoch; both sides weight each batch by
/// its rows). Warm-up: a separate fit of a few batches, so the JIT and the BLAS threads are warm.
/// </remarks>
internal sealed class AutoencoderTrainEntry(string name, AutoencoderArchitecture architecture) : IBenchEntry
{
    /// <summary>A fit of the autoencoder (ours on the CPU, or on a device) that tells about every epoch.</summary>
    internal delegate AutoencoderModel Fit(Matrix rows, AutoencoderOptions options, Action<AutoencoderEpoch>? epochCompleted);

    public const int BatchSize = 256;
    public const float LearningRate = 1e-3f;
    public const int EmbeddingSize = 10;
    private const int WarmUpBatches = 4;

    public string Name { get; } = name;

    public string QualityMetric => "final_epoch_mse";

    public void WarmUp(BenchData data) => WarmUp(data, architecture, (rows, options, epochCompleted) => Autoencoder.Fit(rows, options, epochCompleted));

    public EntryResult Run(BenchData data) => Measure(Name, data, architecture, (rows, options, epochCompleted) => Autoencoder.Fit(rows, options, epochCompleted)).Result;

    /// <summary>A fit of a few batches on its own network, so the JIT (and a device's kernel compiler) is warm.</summary>
    internal static void WarmUp(BenchData data, AutoencoderArchitecture architecture, Fit fit) =>
        fit(data.Pixels, Options(data, architecture, epochs: 1) with { MaxTrainingRows = WarmUpBatches * BatchSize }, null);

    /// <summary>Times <paramref name="fit"/> over the configured epochs; the result, and the training images per second.</summary>
    internal static (EntryResult Result, double ImagesPerSecond) Measure(string name, BenchData data, AutoencoderArchitecture architecture, Fit fit)
    {
        var pixels = data.Pixels;
        var epochs = new List<AutoencoderEpoch>();
        var (model, fitSeconds) = Timing.Measure(() => fit(pixels, Options(data, architecture, data.AutoencoderEpochs), epochs.Add));
        if (epochs.Count != data.AutoencoderEpochs)
        {
            throw new InvalidOperationException($"{name}: trained {epochs.Count} epochs, expected {data.AutoencoderEpochs}");
        }
        var seconds = epochs.Sum(e => e.Seconds);
        var imagesPerSecond = (double)pixels.Rows * epochs.Count / seconds;
        var notes = string.Join("; ",
            Invariant($"{imagesPerSecond:F0} images/s ({epochs.Count} epoch(s) × {pixels.Rows} images, batch {BatchSize}, Adam lr {LearningRate:G}, MSE, float32)"),
            "epoch losses " + string.Join(", ", epochs.Select(e => Invariant($"{e.Loss:F5}"))),
            "epoch seconds " + string.Join(", ", epochs.Select(e => Invariant($"{e.Seconds:F2}"))),
            Invariant($"whole fit incl. network construction {fitSeconds:F2} s"),
            Invariant($"{model.ParameterCount:N0} parameters"),
            "init: Glorot-uniform weights, zero biases");
        return (new EntryResult(seconds, model.TrainingLoss[^1], notes), imagesPerSecond);
    }

    private static AutoencoderOptions Options(BenchData data, AutoencoderArchitecture architecture, int epochs) => new()
    {
        Architecture = architecture,
        EmbeddingSize = EmbeddingSize,
        Epochs = epochs,
        BatchSize = BatchSize,
        LearningRate = LearningRate,
        Loss = LossFunction.MeanSquaredError,
        // The first epoch always counts as progress, so the plateau rule cannot stop a run of this many epochs.
        Patience = epochs,
        Seed = data.Seed,
    };
}
