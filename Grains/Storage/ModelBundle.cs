using System.Reflection;
using System.Security.Cryptography;
using System.Text.Json;
using Distributed.Grains.Jobs;
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

    /// <summary>Writes <paramref name="model"/> to the new directory <paramref name="path"/> (staged, synced, then renamed into place).</summary>
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
            NoveltySpace = model.NoveltySpace,
            Stages = stages,
        };
        File.WriteAllText(Path.Combine(directory, ManifestFile), JsonSerializer.Serialize(manifest, Json.Options));
        return manifest;
    }

    /// <summary>
    /// The bundle directory <paramref name="path"/> names, with symbolic links resolved: a versioned
    /// run directory's current model, its <c>model</c> link, one version's model, or a plain bundle
    /// directory (as earlier releases wrote). Resolved once, so every file is read from one version.
    /// </summary>
    public static string Resolve(string path)
    {
        ArgumentException.ThrowIfNullOrWhiteSpace(path);
        var full = Path.GetFullPath(path.TrimEnd(Path.DirectorySeparatorChar));
        if (RunDirectory.CurrentOf(full) is { } current)
        {
            full = Path.Combine(current, JobOutputs.Model);
        }
        return PosixFiles.ResolveLinks(full) ?? full;
    }

    /// <summary>Loads and verifies the bundle <paramref name="path"/> names (see <see cref="Resolve"/>).</summary>
    /// <exception cref="ModelBundleException">Missing, foreign, newer or corrupted bundle.</exception>
    public static (PipelineModel Model, BundleManifest Manifest) Load(string path)
    {
        var directory = Resolve(path);
        // Held while the files are read, so that a publication meanwhile cannot prune this version.
        using var lease = RunDirectory.Lease(directory);
        return LoadResolved(directory);
    }

    /// <summary>Loads and verifies the bundle directory <paramref name="path"/>, already resolved (and leased) by the caller.</summary>
    /// <exception cref="ModelBundleException">Missing, foreign, newer or corrupted bundle.</exception>
    internal static (PipelineModel Model, BundleManifest Manifest) LoadResolved(string path)
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
                manifest.ClassifierInput ?? ClassifierInput.Features, manifest.NoveltySpace ?? NoveltySpace.Embedding);
            return (model, manifest);
        }
        catch (ModelFormatException e)
        {
            throw new ModelBundleException(path, e.Message, e);
        }
        catch (Exception e) when (e is OverflowException or ArgumentException)
        {
            // Sizes in a stage file that its hash vouches for but that cannot describe a model
            // (a file written by something else, or damaged before it was hashed).
            throw new ModelBundleException(path, $"a stage file's data is inconsistent: {e.Message}", e);
        }
    }

    /// <summary>
    /// Writes into the empty directory <paramref name="target"/> a new version of the bundle in
    /// <paramref name="source"/>, which the caller has loaded (<paramref name="manifest"/>) and keeps
    /// from being removed meanwhile, whose manifest names its clusters; the stage files are copied
    /// unchanged, with their hashes.
    /// </summary>
    public static BundleManifest WriteNamed(string source, BundleManifest manifest, string target, IReadOnlyDictionary<int, string> names)
    {
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(names);
        var directory = Resolve(source);
        var named = manifest with
        {
            ModelVersion = NewVersion(),
            CreatedUtc = DateTimeOffset.UtcNow,
            ClusterNames = new SortedDictionary<int, string>(names.ToDictionary()),
        };
        foreach (var stage in manifest.Stages)
        {
            File.Copy(Path.Combine(directory, stage.File), Path.Combine(target, stage.File));
        }
        File.WriteAllText(Path.Combine(target, ManifestFile), JsonSerializer.Serialize(named, Json.Options));
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
        foreach (var stage in manifest.Stages)
        {
            if (stage is null || string.IsNullOrEmpty(stage.Name) || string.IsNullOrEmpty(stage.Kind) || string.IsNullOrEmpty(stage.File) || string.IsNullOrEmpty(stage.Sha256))
            {
                throw new ModelBundleException(path, $"{ManifestFile} lists a stage without a name, kind, file or sha256");
            }
        }
        return manifest;
    }

    private static string Sha256Of(string filePath)
    {
        using var stream = File.OpenRead(filePath);
        return Convert.ToHexStringLower(SHA256.HashData(stream));
    }
}
