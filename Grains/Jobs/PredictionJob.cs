using Distributed.Grains.Storage;
using Distributed.Ml.Data;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Jobs;

/// <summary>Predicts clusters of new images with a saved bundle: fitted models only, no refit.</summary>
public static class PredictionJob
{
    /// <summary>Writes cluster ids (int32) to <paramref name="outputPath"/> and, when asked, probabilities (float32, n × k).</summary>
    /// <exception cref="ModelBundleException">The bundle is unusable.</exception>
    /// <exception cref="InputFileException">The images are unusable.</exception>
    public static PipelinePrediction Run(string modelDirectory, string imagesPath, string outputPath, string? probabilitiesPath = null)
    {
        var (model, _) = ModelBundle.Load(modelDirectory);
        var images = ArrayFiles.LoadImages(imagesPath);
        var prediction = model.Predict(images);
        AtomicFile.Write(outputPath, s => NpyWriter.Write(s, prediction.Clusters, prediction.Clusters.Length));
        if (probabilitiesPath is not null)
        {
            AtomicFile.Write(probabilitiesPath, s => NpyWriter.Write(s, prediction.Probabilities.Data, prediction.Probabilities.Rows, prediction.Probabilities.Cols));
        }
        return prediction;
    }
}
