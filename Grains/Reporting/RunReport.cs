using System.Diagnostics;
using System.Text;
using System.Text.Json.Nodes;
using Distributed.Grains.Jobs;
using Distributed.Grains.Storage;
using Distributed.Ml.Embedding;
using Distributed.Ml.Metrics;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Reporting;

/// <summary>
/// <c>report.html</c>: one self-contained page (images inline, no network fetch) that shows what a
/// run found, for a person to check: summary, training curve, 2-D embedding, cluster sizes,
/// confusion, a gallery per cluster, what self-labelling changed, the method choice and the rebalancing. Built from the run's
/// outputs (metrics, assignments, model bundle) and its input images, so a run and a later
/// <c>report</c> give the same page. Plots are deterministic for the run's seed.
/// </summary>
public static class RunReport
{
    /// <summary>The report's file name in the run directory.</summary>
    public const string FileName = JobOutputs.Report;

    /// <summary>Most images the scatter plots and galleries are drawn from (the notebooks' 10,000).</summary>
    public const int SampleSize = 10_000;

    /// <summary>Most typical images per gallery.</summary>
    public const int TypicalPerCluster = 32;

    /// <summary>Least certain images per gallery.</summary>
    public const int UncertainPerCluster = 16;

    /// <summary>Most label changes (from a cluster to another label) the self-labelling section lists.</summary>
    public const int ChangesListed = 10;

    /// <summary>Most of the listed changes shown as pictures, largest first: the ones worth a person's check.</summary>
    public const int ChangesShown = 6;

    /// <summary>Most images per pictured change.</summary>
    public const int ImagesPerChange = 16;

    /// <summary>Fewest images a 2-D layout is fitted for: a neighbour graph needs a few neighbours per point.</summary>
    private const int MinimumLayoutRows = 3;

    /// <summary>
    /// Writes <c>report.html</c> into <paramref name="runDirectory"/> (atomically) and says where, how
    /// large and how long it took. In a versioned run directory the page goes into the current
    /// version, beside the files it is drawn from: the one file a version may have rewritten, as it
    /// is derived from the version's own outputs.
    /// </summary>
    /// <param name="runDirectory">A run's output directory (<c>metrics.json</c>, <c>assignments.npy</c>, <c>model/</c>), or the version being published.</param>
    /// <param name="imagesPath">The images the run labelled.</param>
    /// <param name="labelsPath">Their true labels, or null.</param>
    /// <exception cref="InputFileException">An input or output file is unusable.</exception>
    /// <exception cref="ModelBundleException">The model bundle is unusable.</exception>
    public static ReportWritten Write(string runDirectory, string imagesPath, string? labelsPath)
    {
        ArgumentNullException.ThrowIfNull(runDirectory);
        var clock = Stopwatch.StartNew();
        var directory = RunDirectory.CurrentOf(runDirectory) ?? runDirectory;
        using var lease = RunDirectory.Lease(directory);
        var data = Gather(directory, imagesPath, labelsPath);
        var html = ReportPage.Render(data);
        var path = Path.Combine(directory, FileName);
        var bytes = Encoding.UTF8.GetBytes(html);
        AtomicFile.Write(path, stream => stream.Write(bytes));
        return new ReportWritten(path, bytes.Length, clock.Elapsed);
    }

    /// <summary>Reads the run and computes what the page shows.</summary>
    public static ReportData Gather(string runDirectory, string imagesPath, string? labelsPath)
    {
        ArgumentNullException.ThrowIfNull(runDirectory);
        ArgumentNullException.ThrowIfNull(imagesPath);
        var metricsPath = Path.Combine(runDirectory, JobOutputs.Metrics);
        JsonObject metrics;
        try
        {
            metrics = JsonNode.Parse(File.ReadAllText(metricsPath)) as JsonObject
                ?? throw new InputFileException(metricsPath, "not a JSON object");
        }
        catch (Exception e) when (e is IOException or System.Text.Json.JsonException or UnauthorizedAccessException)
        {
            throw new InputFileException(metricsPath, e is IOException or UnauthorizedAccessException ? e.Message : $"not JSON: {e.Message}");
        }
        var assignments = ArrayFiles.LoadLabels(Path.Combine(runDirectory, JobOutputs.Assignments));
        var images = ArrayFiles.LoadImages(imagesPath);
        if (images.Rows != assignments.Length)
        {
            throw new InputFileException(imagesPath, $"{images.Rows} images, but the run labelled {assignments.Length}");
        }
        var labels = labelsPath is null ? null : ArrayFiles.LoadLabelsFor(labelsPath, imagesPath, images.Rows);
        var refined = metrics["refine"]?.ToString() == ChoiceNames.Of(RefineMethod.Cnn) ? LoadRefinedLabels(runDirectory, assignments.Length) : null;
        var (model, manifest) = ModelBundle.Load(Path.Combine(runDirectory, JobOutputs.Model));
        var seed = metrics["seed"]?.GetValue<ulong>() ?? 0;

        var rng = Rng.Derive(seed, RandomStreams.Report);
        var sample = images.Rows <= SampleSize ? Enumerable.Range(0, images.Rows).ToArray() : rng.SampleWithoutReplacement(images.Rows, SampleSize);
        Array.Sort(sample);
        var pixels = new Matrix(sample.Length, images.Cols);
        for (var i = 0; i < sample.Length; i++)
        {
            images.Row(sample[i]).CopyTo(pixels.Row(i));
        }
        var sampleClusters = Array.ConvertAll(sample, i => assignments[i]);
        // The notebooks' view: a 2-D UMAP of the features the clustering saw, not two of its 10 dimensions.
        var features = model.Features?.Transform(pixels) ?? pixels;
        var layout = Layout(features, seed);
        var (distance, margin) = CentroidMargins.Of(features, sampleClusters);
        return new ReportData(metrics, assignments, refined, labels, sample, pixels, layout, distance, margin, manifest.ClusterNames);
    }

    private static int[] LoadRefinedLabels(string runDirectory, int images)
    {
        var path = Path.Combine(runDirectory, JobOutputs.Labels);
        var refined = ArrayFiles.LoadLabels(path);
        return refined.Length == images ? refined : throw new InputFileException(path, $"{refined.Length} labels, but the run labelled {images} images");
    }

    /// <summary>
    /// The 2-D UMAP of the sample's features, with the run's UMAP defaults; on a handful of images
    /// (fewer than UMAP has neighbours) with as many neighbours as there are other images.
    /// </summary>
    private static Matrix Layout(Matrix features, ulong seed)
    {
        var options = new UmapOptions { Components = 2, Seed = seed };
        if (features.Rows <= MinimumLayoutRows)
        {
            // Too few points for a neighbour graph: all at the origin, and the page says how many there are.
            return new Matrix(features.Rows, 2);
        }
        return Umap.Fit(features, options with { Neighbors = Math.Min(options.Neighbors, features.Rows - 1) }).Embedding;
    }
}
