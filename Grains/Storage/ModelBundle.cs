using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using Distributed.Ml.Data;
using Distributed.Ml.Persistence;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Storage;

/// <summary>
/// A fitted pipeline on disk: a directory with <c>manifest.json</c> and one binary file per stage.
/// Written atomically; loading verifies the format, version, sizes and SHA-256 of every file.
/// </summary>
public static class ModelBundle
{
    /// <summary>Name of the manifest inside the bundle directory.</summary>
    public const string ManifestFile = "manifest.json";

    /// <summary>Writes <paramref name="model"/> to the directory <paramref name="path"/>, replacing any previous bundle atomically.</summary>
    public static BundleManifest Save(string path, PipelineModel model, PipelineOptions options, long[] clusterSizes)
    {
        ArgumentNullException.ThrowIfNull(model);
        BundleManifest? manifest = null;
        AtomicFile.WriteDirectory(path, directory => manifest = WriteInto(directory, model, options, clusterSizes));
        return manifest!;
    }

    /// <summary>Writes the bundle files into an existing empty directory (used when staging several outputs).</summary>
    public static BundleManifest WriteInto(string directory, PipelineModel model, PipelineOptions options, long[] clusterSizes)
    {
        var stages = new List<BundleStage>();
        foreach (var stage in model.Stages())
        {
            var file = $"{stage.Name}.{stage.Kind}.bin";
            var filePath = Path.Combine(directory, file);
            using (var stream = File.Create(filePath))
            {
                stage.Save(stream);
            }
            stages.Add(new BundleStage(stage.Name, stage.Kind, file, new FileInfo(filePath).Length, Sha256Of(filePath)));
        }
        var manifest = new BundleManifest
        {
            Format = BundleManifest.FormatName,
            FormatVersion = BundleManifest.CurrentFormatVersion,
            ModelVersion = NewVersion(),
            CreatedUtc = DateTimeOffset.UtcNow,
            Producer = $"Distributed {typeof(ModelBundle).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion ?? "dev"}",
            Seed = options.Seed,
            InputShape = [1, ImageShape.Side, ImageShape.Side],
            Options = options,
            ClusterSizes = clusterSizes,
            ClassifierInput = model.ClassifierInput,
            Stages = stages,
        };
        File.WriteAllText(Path.Combine(directory, ManifestFile), JsonSerializer.Serialize(manifest, Json.Options));
        return manifest;
    }

    /// <summary>Loads and verifies a bundle.</summary>
    /// <exception cref="ModelBundleException">Missing, foreign, newer or corrupted bundle.</exception>
    public static (PipelineModel Model, BundleManifest Manifest) Load(string path)
    {
        if (!Directory.Exists(path))
        {
            throw new ModelBundleException(path, "model directory not found");
        }
        var manifestPath = Path.Combine(path, ManifestFile);
        if (!File.Exists(manifestPath))
        {
            throw new ModelBundleException(path, $"not a model bundle: {ManifestFile} is missing");
        }
        var manifest = ReadManifest(path, manifestPath);
        foreach (var stage in manifest.Stages)
        {
            var filePath = Path.Combine(path, stage.File);
            if (stage.File.Contains('/') || stage.File.Contains('\\') || !File.Exists(filePath))
            {
                throw new ModelBundleException(path, $"stage '{stage.Name}' file {stage.File} is missing");
            }
            if (new FileInfo(filePath).Length != stage.Bytes || !string.Equals(Sha256Of(filePath), stage.Sha256, StringComparison.OrdinalIgnoreCase))
            {
                throw new ModelBundleException(path, $"stage '{stage.Name}' file {stage.File} is corrupted (size or SHA-256 differs from the manifest)");
            }
        }
        try
        {
            var files = manifest.Stages.ToDictionary(s => s.Name, s => Path.Combine(path, s.File));
            var model = PipelineModel.Load([.. manifest.Stages.Select(s => (s.Name, s.Kind))], name => File.OpenRead(files[name]),
                manifest.ClassifierInput ?? ClassifierInput.Features);
            return (model, manifest);
        }
        catch (ModelFormatException e)
        {
            throw new ModelBundleException(path, e.Message, e);
        }
    }

    /// <summary>
    /// Replaces the bundle at <paramref name="path"/> atomically with a new version of it whose
    /// manifest names its clusters; the stage files are copied unchanged, with their hashes.
    /// </summary>
    /// <exception cref="ModelBundleException">The bundle is unusable.</exception>
    public static BundleManifest Name(string path, IReadOnlyDictionary<int, string> names)
    {
        ArgumentNullException.ThrowIfNull(names);
        var (_, manifest) = Load(path);
        var named = manifest with
        {
            ModelVersion = NewVersion(),
            CreatedUtc = DateTimeOffset.UtcNow,
            ClusterNames = new SortedDictionary<int, string>(names.ToDictionary()),
        };
        AtomicFile.WriteDirectory(path, directory =>
        {
            foreach (var stage in manifest.Stages)
            {
                File.Copy(Path.Combine(path, stage.File), Path.Combine(directory, stage.File));
            }
            File.WriteAllText(Path.Combine(directory, ManifestFile), JsonSerializer.Serialize(named, Json.Options));
        });
        return named;
    }

    private static string NewVersion() => $"{DateTime.UtcNow:yyyyMMddTHHmmssZ}-{Guid.NewGuid().ToString("N")[..8]}";

    private static BundleManifest ReadManifest(string path, string manifestPath)
    {
        BundleManifest? manifest;
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(manifestPath));
            var root = document.RootElement;
            var format = root.TryGetProperty("format", out var f) && f.ValueKind == JsonValueKind.String ? f.GetString() : null;
            if (format != BundleManifest.FormatName)
            {
                throw new ModelBundleException(path, $"not a model bundle of this product (format '{format ?? "missing"}', expected '{BundleManifest.FormatName}')");
            }
            if (!root.TryGetProperty("format_version", out var v) || !v.TryGetInt32(out var version) || version < 1)
            {
                throw new ModelBundleException(path, "manifest has no valid format_version");
            }
            if (version > BundleManifest.CurrentFormatVersion)
            {
                throw new ModelBundleException(path, $"bundle format version {version} is newer than this build supports ({BundleManifest.CurrentFormatVersion}); upgrade the product");
            }
            manifest = root.Deserialize<BundleManifest>(Json.Options);
        }
        catch (JsonException e)
        {
            throw new ModelBundleException(path, $"{ManifestFile} is not a valid manifest: {e.Message}", e);
        }
        if (manifest?.Stages is null || manifest.Stages.Count == 0)
        {
            throw new ModelBundleException(path, $"{ManifestFile} lists no stages");
        }
        return manifest;
    }

    private static string Sha256Of(string filePath)
    {
        using var stream = File.OpenRead(filePath);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
