using System.Diagnostics;
using System.Text.Json;
using System.Text.Json.Nodes;
using Distributed.Grains.Cluster.Grains;
using Distributed.Grains.Storage;
using Distributed.Ml.Data;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;
using Distributed.Ml.SemiSupervised;

namespace Distributed.Grains.Jobs;

/// <summary>
/// Runs the labelling pipeline in this process: reads the inputs, fits, evaluates against true
/// labels when given, and publishes the bundle, assignments, metrics and report as one version of
/// the output directory (<see cref="RunOutputs"/>).
/// </summary>
public static class LabellingJob
{
    /// <summary>Stage names this job adds to the pipeline's own.</summary>
    public const string LoadStage = "load", EvaluateStage = "evaluate", WriteStage = "write";

    /// <summary>Runs the job; returns the metrics document that was written and what the report took.</summary>
    /// <exception cref="InputFileException">An input file is unusable.</exception>
    /// <exception cref="Ml.OptionsException">An option is invalid or not available.</exception>
    public static (JsonObject Metrics, Reporting.ReportWritten Report) Run(LabellingJobRequest request, IPipelineObserver? observer = null, Microsoft.Extensions.Logging.ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        request.Options.Validate();
        var clock = new StageClock(observer);

        var (images, labels, allKnownLabels) = clock.Run(LoadStage, () =>
        {
            var loaded = ArrayFiles.LoadImages(request.ImagesPath);
            return (loaded, ArrayFiles.LoadLabelsFor(request.LabelsPath, request.ImagesPath, loaded.Rows), ArrayFiles.LoadLabelsFor(request.KnownLabelsPath, request.ImagesPath, loaded.Rows));
        });
        // The pipeline sees only the chosen known labels; the others only score the spreading below.
        var known = allKnownLabels is null ? null : KnownLabels.Choose(allKnownLabels, request.Options.KnownFraction, request.Options.Seed);

        var result = ClusteringPipeline.Fit(images, request.Options, observer, known);
        var report = result.Report;
        if (allKnownLabels is not null)
        {
            report = report with { LabelSpreadingAccuracy = AccuracyOnUnknown(allKnownLabels, known!, result.PseudoLabels) };
        }
        if (labels is not null)
        {
            report = clock.Run(EvaluateStage, () => Evaluate(report, labels, result.Assignments, request.Options.Refine == RefineMethod.Cnn ? result.PseudoLabels : null));
        }

        return RunOutputs.Publish(request, staging => clock.Run(WriteStage, () => WriteOutputs(staging, request, result, report, clock.Seconds)), logger);
    }

    /// <summary>
    /// Scores the clusters (<paramref name="assignments"/>) and, after refinement, the refined labels
    /// (<paramref name="refined"/>) against the true labels: the clusters' scores stay beside the
    /// refined ones, so what each stage did is visible.
    /// </summary>
    internal static PipelineReport Evaluate(PipelineReport report, int[] truth, int[] assignments, int[]? refined)
    {
        var clusters = ExternalEvaluation.Compute(truth, assignments);
        report = report with { Accuracy = clusters.Accuracy, Nmi = clusters.Nmi, Ari = clusters.Ari };
        if (refined is not null)
        {
            var labels = ExternalEvaluation.Compute(truth, refined);
            report = report with { RefineAccuracy = labels.Accuracy, RefineNmi = labels.Nmi, RefineAri = labels.Ari };
        }
        return report;
    }

    /// <summary>Share of the rows whose label was hidden from the fit that label spreading labelled correctly (NaN if none was hidden).</summary>
    internal static double AccuracyOnUnknown(int[] truth, int[] known, int[] spread)
    {
        var hidden = 0;
        var correct = 0;
        for (var i = 0; i < truth.Length; i++)
        {
            if (known[i] == LabelSpreading.Unknown)
            {
                hidden++;
                correct += spread[i] == truth[i] ? 1 : 0;
            }
        }
        return hidden == 0 ? double.NaN : (double)correct / hidden;
    }

    /// <summary>
    /// Builds metrics.json: the pipeline report plus job-level timings and resources, and the compute
    /// backend that trained the feature extractor (<paramref name="featureBackend"/>; left out when
    /// there is none, for raw pixels).
    /// </summary>
    internal static JsonObject MetricsDocument(PipelineReport report, IReadOnlyDictionary<string, double> jobTimings, string modelVersion, string? featureBackend)
    {
        var document = JsonSerializer.SerializeToNode(report, Json.Options)!.AsObject();
        var allTimings = new JsonObject();
        foreach (var (stage, seconds) in jobTimings.Concat(report.TimingsS).OrderBy(t => StageOrder(t.Key)))
        {
            allTimings[stage] = Math.Round(seconds, 3);
        }
        document["timings_s"] = allTimings;
        document["model_version"] = modelVersion;
        document["blas_backend"] = Gemm.Backend;
        document["training_gemm_backend"] = Gemm.TrainingBackend;
        if (featureBackend is not null)
        {
            document["feature_backend"] = featureBackend;
        }
        document["processor_count"] = Environment.ProcessorCount;
        using var process = Process.GetCurrentProcess();
        document["peak_memory_bytes"] = process.PeakWorkingSet64;
        return document;
    }

    private static JsonObject WriteOutputs(string staging, LabellingJobRequest request, PipelineResult result, PipelineReport report, IReadOnlyDictionary<string, double> timings)
    {
        var modelStaging = Directory.CreateDirectory(Path.Combine(staging, JobOutputs.Model)).FullName;
        var manifest = ModelBundle.WriteInto(modelStaging, result.Model, request.Options, report.ClusterSizes);
        using (var stream = File.Create(Path.Combine(staging, JobOutputs.Assignments)))
        {
            NpyWriter.Write(stream, result.Assignments, result.Assignments.Length);
        }
        using (var stream = File.Create(Path.Combine(staging, JobOutputs.Labels)))
        {
            NpyWriter.Write(stream, result.PseudoLabels, result.PseudoLabels.Length);
        }
        // In this process the ML library fits on the CPU: the reference the cluster's backends are checked against.
        var featureBackend = request.Options.Features == FeatureMethod.Pixels ? null : CpuFeatureBackend.BackendName;
        var metrics = MetricsDocument(report, timings, manifest.ModelVersion, featureBackend);
        File.WriteAllText(Path.Combine(staging, JobOutputs.Metrics), metrics.ToJsonString(Json.Options));
        return metrics;
    }

    private static int StageOrder(string stage) => stage switch
    {
        LoadStage => 0,
        ClusteringPipeline.FeaturesStage => 1,
        ClusteringPipeline.ReduceStage => 2,
        ClusteringPipeline.ClusterStage => 3,
        ClusteringPipeline.InternalMetricsStage => 4,
        ClusteringPipeline.LabelSpreadingStage => 5,
        ClusteringPipeline.RefineStage => 6,
        ClusteringPipeline.RebalanceStage => 7,
        ClusteringPipeline.ClassifierStage => 8,
        ClusteringPipeline.NoveltyStage => 9,
        EvaluateStage => 10,
        _ => 11,
    };
}
