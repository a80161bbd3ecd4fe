using Distributed.Grains.Serving;
using Distributed.Grains.Storage;
using Distributed.Ml.Data;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Jobs;

/// <summary>Predicts clusters of new images with a saved bundle: fitted models only, no refit.</summary>
public static class PredictionJob
{
    /// <summary>
    /// Writes cluster ids (int32) to <paramref name="outputPath"/> and, when asked, probabilities
    /// (float32, n × k) and each image's cluster name (a JSON array for <c>.json</c>, else a line per image).
    /// </summary>
    /// <exception cref="ModelBundleException">The bundle is unusable, or names are asked of a bundle that has none.</exception>
    /// <exception cref="InputFileException">The images are unusable.</exception>
    public static PipelinePrediction Run(string modelDirectory, string imagesPath, string outputPath, string? probabilitiesPath = null, string? namesPath = null)
    {
        var (model, manifest) = ModelBundle.Load(modelDirectory);
        if (namesPath is not null && manifest.ClusterNames is null)
        {
            throw new ModelBundleException(modelDirectory, "its clusters have no names yet; give them with 'name <run-dir> --names ...'");
        }
        var images = ArrayFiles.LoadImages(imagesPath);
        var prediction = model.Predict(images);
        AtomicFile.Write(outputPath, s => NpyWriter.Write(s, prediction.Clusters, prediction.Clusters.Length));
        if (probabilitiesPath is not null)
        {
            AtomicFile.Write(probabilitiesPath, s => NpyWriter.Write(s, prediction.Probabilities.Data, prediction.Probabilities.Rows, prediction.Probabilities.Cols));
        }
        if (namesPath is not null)
        {
            var labels = ClusterLabels.LabelsOf(prediction.Clusters, manifest.ClusterNames!);
            AtomicFile.Write(namesPath, s =>
            {
                if (namesPath.EndsWith(".json", StringComparison.OrdinalIgnoreCase))
                {
                    System.Text.Json.JsonSerializer.Serialize(s, labels);
                    return;
                }
                using var writer = new StreamWriter(s, leaveOpen: true);
                foreach (var label in labels)
                {
                    writer.WriteLine(label);
                }
            });
        }
        return prediction;
    }
}
