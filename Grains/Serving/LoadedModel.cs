using System.Text.Json;
using Distributed.Grains.Interfaces.Serving;
using Distributed.Grains.Jobs;
using Distributed.Grains.Storage;
using Distributed.Ml.Data;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Serving;

/// <summary>
/// A verified model bundle in memory, with what <c>GET /v1/model</c> reports about it. Immutable.
/// While it is served it holds a lease on its version of a run directory, which keeps publications
/// from pruning the version (<see cref="ReleaseLease"/> ends it).
/// </summary>
public sealed class LoadedModel
{
    private readonly IDisposable? _lease;

    private LoadedModel(string source, string path, PipelineModel model, BundleManifest manifest, ModelInfo info, IDisposable? lease)
    {
        Source = source;
        Path = path;
        Model = model;
        Manifest = manifest;
        Info = info;
        _lease = lease;
    }

    /// <summary>The path it was loaded from, as given (a run directory, its <c>model</c> link or a bundle): a reload resolves it again.</summary>
    public string Source { get; }

    /// <summary>Full path of the bundle directory it was read from, links resolved.</summary>
    public string Path { get; }

    /// <summary>The fitted pipeline.</summary>
    public PipelineModel Model { get; }

    /// <summary>The bundle's manifest.</summary>
    public BundleManifest Manifest { get; }

    /// <summary>Unique version of the bundle.</summary>
    public string Version => Manifest.ModelVersion;

    /// <summary>Description served by <c>GET /v1/model</c>.</summary>
    public ModelInfo Info { get; }

    /// <summary>True when the bundle is a published version, whose files never change: reloading the same path again is a no-op.</summary>
    public bool IsPublishedVersion => _lease is not null;

    /// <summary>Ends the lease on the model's version; the model itself stays usable (it is in memory).</summary>
    public void ReleaseLease() => _lease?.Dispose();

    /// <summary>
    /// Loads and verifies the bundle <paramref name="path"/> names (see <see cref="ModelBundle.Resolve"/>),
    /// and the run's metrics.json beside it when it belongs to this model.
    /// </summary>
    /// <exception cref="ModelBundleException">The bundle is missing, foreign, newer or corrupted.</exception>
    public static LoadedModel Load(string path)
    {
        ArgumentNullException.ThrowIfNull(path);
        var full = ModelBundle.Resolve(path);
        var lease = RunDirectory.Lease(full);
        try
        {
            return Load(path, full, lease);
        }
        catch
        {
            lease?.Dispose();
            throw;
        }
    }

    private static LoadedModel Load(string source, string full, IDisposable? lease)
    {
        var (model, manifest) = ModelBundle.LoadResolved(full);
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
        return new LoadedModel(source, full, model, manifest, info, lease);
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
