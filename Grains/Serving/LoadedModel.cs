using System.Text.Json;
using Distributed.Grains.Interfaces.Serving;
using Distributed.Grains.Jobs;
using Distributed.Grains.Storage;
using Distributed.Ml.Data;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Serving;

/// <summary>A verified model bundle in memory, with what <c>GET /v1/model</c> reports about it. Immutable.</summary>
public sealed class LoadedModel
{
    private LoadedModel(string path, PipelineModel model, BundleManifest manifest, ModelInfo info)
    {
        Path = path;
        Model = model;
        Manifest = manifest;
        Info = info;
    }

    /// <summary>Full path of the bundle directory.</summary>
    public string Path { get; }

    /// <summary>The fitted pipeline.</summary>
    public PipelineModel Model { get; }

    /// <summary>The bundle's manifest.</summary>
    public BundleManifest Manifest { get; }

    /// <summary>Unique version of the bundle.</summary>
    public string Version => Manifest.ModelVersion;

    /// <summary>Description served by <c>GET /v1/model</c>.</summary>
    public ModelInfo Info { get; }

    /// <summary>Loads and verifies the bundle at <paramref name="path"/>, and the run's metrics.json beside it when it belongs to this model.</summary>
    /// <exception cref="ModelBundleException">The bundle is missing, foreign, newer or corrupted.</exception>
    public static LoadedModel Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = System.IO.Path.GetFullPath(path.TrimEnd(System.IO.Path.DirectorySeparatorChar));
        var (model, manifest) = ModelBundle.Load(full);
        var info = new ModelInfo(
            manifest.ModelVersion,
            manifest.CreatedUtc,
            DateTimeOffset.UtcNow,
            manifest.Producer,
            manifest.Seed,
            manifest.InputShape,
            JsonSerializer.SerializeToElement(manifest.Options, Json.Options),
            model.Classifier.Classes,
            manifest.ClusterSizes,
            [.. manifest.Stages.Select(s => new ModelStageInfo(s.Name, s.Kind, s.Bytes))],
            ReadRunMetrics(full, manifest.ModelVersion));
        // One prediction before serving builds what the stages build on first use (UMAP's neighbour
        // index, JIT-compiled kernels), so the first request does not pay for it.
        model.Predict(new Matrix(1, ImageShape.Pixels));
        return new LoadedModel(full, model, manifest, info);
    }

    /// <summary>
    /// The labelling job writes <c>metrics.json</c> beside <c>model/</c>; it describes this model only
    /// when its <c>model_version</c> matches (a later run may have replaced one and not the other).
    /// </summary>
    private static JsonElement? ReadRunMetrics(string modelDirectory, string modelVersion)
    {
        var parent = System.IO.Path.GetDirectoryName(modelDirectory);
        var path = parent is null ? null : System.IO.Path.Combine(parent, JobOutputs.Metrics);
        if (path is null || !File.Exists(path))
        {
            return null;
        }
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllBytes(path));
            var root = document.RootElement;
            return root.ValueKind == JsonValueKind.Object
                && root.TryGetProperty("model_version", out var version)
                && version.ValueKind == JsonValueKind.String
                && version.GetString() == modelVersion
                ? root.Clone()
                : null;
        }
        catch (Exception e) when (e is JsonException or IOException or UnauthorizedAccessException)
        {
            // The metrics are a courtesy: an unreadable file must not stop the model from serving.
            return null;
        }
    }
}
