using System.Text.Json.Nodes;
using Distributed.Grains.Reporting;
using Distributed.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace Distributed.Grains.Jobs;

/// <summary>
/// Publishes a labelling run's outputs (model bundle, assignments, metrics and report) as one new
/// version of its output directory (see <see cref="RunDirectory"/>): the in-process job and the
/// cluster client both end here, so a reader sees every output of one run, never a mix.
/// </summary>
public static class RunOutputs
{
    /// <summary>
    /// Publishes: <paramref name="writeModelOutputs"/> writes model, assignments and metrics into the
    /// staging directory it is given and returns the metrics document; the report is drawn from them
    /// there, before the version becomes current.
    /// </summary>
    /// <returns>The metrics document and what the report took.</returns>
    /// <exception cref="InputFileException">An input or output file is unusable.</exception>
    public static (JsonObject Metrics, ReportWritten Report) Publish(LabellingJobRequest request, Func<string, JsonObject> writeModelOutputs, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(request);
        ArgumentNullException.ThrowIfNull(writeModelOutputs);
        JsonObject? metrics = null;
        ReportWritten? report = null;
        var run = new RunDirectory(request.OutputDirectory, JobOutputs.All, logger);
        try
        {
            run.Publish(staging =>
            {
                metrics = writeModelOutputs(staging);
                report = RunReport.Write(staging, request.ImagesPath, request.LabelsPath);
                return metrics["model_version"]!.GetValue<string>();
            }, request.KeepVersions);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            throw new InputFileException(request.OutputDirectory, $"cannot publish the run's outputs: {e.Message}", e);
        }
        return (metrics!, report!);
    }
}
