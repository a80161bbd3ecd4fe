using System.Text.Json.Nodes;
using Distributed.Ml.Clustering;
using Distributed.Ml.Data;
using Distributed.Ml.Features;
using Distributed.Ml.Numerics;
using Distributed.Ml.SemiSupervised;

namespace Distributed.Bench;

/// <summary>
/// <c>prepare</c>: turns the MNIST training images into the inputs every entry shares, so both
/// sides read byte-identical data. Nothing here is timed.
/// </summary>
internal static class Prepare
{
    private const int PcaComponents = 50;
    private const int PseudoLabelClusters = 10;
    private const double HeldOutFraction = 0.2;
    private const ulong SampleStream = 0xBE0C_0001;
    private const ulong SplitStream = 0xBE0C_0002;
    /// <summary>Share of the true labels the label-spreading entry treats as known (the reference notes' 10%).</summary>
    private const double KnownFraction = 0.1;

    public sealed record Options(string Images, string Labels, string Work, int Rows, ulong Seed, int SingleRowPredictions, int AutoencoderEpochs, string Mode);

    public static void Run(Options options)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(options.AutoencoderEpochs, 1, "--autoencoder-epochs");
        Directory.CreateDirectory(options.Work);
        var data = new BenchData(options.Work);

        var images = ImageDecoder.Decode(ReadNpy(options.Images));
        var labels = ReadNpy(options.Labels).ToInt32();
        if (labels.Length != images.Rows)
        {
            throw new InvalidOperationException($"{options.Labels}: {labels.Length} labels for {images.Rows} images");
        }
        var rows = options.Rows <= 0 || options.Rows >= images.Rows
            ? Enumerable.Range(0, images.Rows).ToArray()
            : Rng.Derive(options.Seed, SampleStream).SampleWithoutReplacement(images.Rows, options.Rows);
        var sample = rows.Length == images.Rows ? images : images.SelectRows(rows);
        Log($"{sample.Rows} of {images.Rows} images from {options.Images}");

        var pca = Pca.Fit(sample, new PcaOptions { Components = PcaComponents });
        var features = pca.Transform(sample);
        Log($"PCA-{PcaComponents}: {pca.ExplainedVarianceRatio.Sum():F3} of the variance");

        var kmeans = KMeans.Fit(features, new KMeansOptions { Clusters = PseudoLabelClusters, Seed = options.Seed });
        Log($"pseudo-labels: k-means k={PseudoLabelClusters}, inertia {kmeans.Model.Inertia:F1}");

        var order = Rng.Derive(options.Seed, SplitStream).Permutation(sample.Rows);
        var heldOut = (int)Math.Round(sample.Rows * HeldOutFraction);
        var test = order[..heldOut];
        var train = order[heldOut..];
        Array.Sort(test);
        Array.Sort(train);
        Log($"split: {train.Length} train, {test.Length} held out");

        data.Write(BenchData.SourceRowsFile, rows);
        data.Write(BenchData.PixelsFile, sample);
        data.Write(BenchData.FeaturesFile, features);
        data.Write(BenchData.LabelsFile, Array.ConvertAll(rows, r => labels[r]));
        data.Write(BenchData.PseudoLabelsFile, kmeans.Labels);
        data.Write(BenchData.TrainIndexFile, train);
        data.Write(BenchData.TestIndexFile, test);
        data.Write(BenchData.KnownLabelsFile, KnownLabels.Choose(Array.ConvertAll(rows, r => labels[r]), KnownFraction, options.Seed));
        var config = new JsonObject
        {
            ["mode"] = options.Mode,
            ["source_images"] = options.Images,
            ["rows"] = sample.Rows,
            ["features"] = PcaComponents,
            ["seed"] = options.Seed,
            ["single_row_predictions"] = options.SingleRowPredictions,
            ["autoencoder_epochs"] = options.AutoencoderEpochs,
        };
        data.WriteText(BenchData.ConfigFile, config.ToJsonString() + "\n");
        Log($"wrote {options.Work}");
    }

    private static NumericArray ReadNpy(string path)
    {
        using var stream = File.OpenRead(path);
        return NpyReader.Read(stream);
    }

    private static void Log(string message) => Console.Error.WriteLine($"prepare: {message}");
}
