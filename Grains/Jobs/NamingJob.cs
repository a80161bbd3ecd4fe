using System.Globalization;
using System.Text.Json;
using System.Text.Json.Nodes;
using Distributed.Grains.Storage;
using Microsoft.Extensions.Logging;

namespace Distributed.Grains.Jobs;

/// <summary>
/// <c>name</c>: gives a run's clusters human names, as a new version of the run (model stages
/// unchanged, the manifest maps ids to names; assignments, metrics and report carried over),
/// published like a run's outputs. Names come from a JSON file (<c>{"0": "zero", …}</c>) or inline
/// (<c>0=zero,1=one</c>).
/// </summary>
public static class NamingJob
{
    /// <summary>Names the clusters of the current model of the run in <paramref name="runDirectory"/>; returns the old and the new manifest.</summary>
    /// <exception cref="ArgumentException">The names do not parse, name a cluster twice, name one that does not exist, or are empty.</exception>
    /// <exception cref="ModelBundleException">The bundle is unusable.</exception>
    public static (BundleManifest Before, BundleManifest After) Run(string runDirectory, string names, int keepVersions = RunDirectory.DefaultKeepVersions, ILogger? logger = null)
    {
        ArgumentNullException.ThrowIfNull(runDirectory);
        if (!Directory.Exists(Path.Combine(runDirectory, JobOutputs.Model)))
        {
            // Refused before the publication would create the directory and its lock file.
            throw new ModelBundleException(runDirectory, "no model: the directory holds no run's outputs");
        }
        var run = new RunDirectory(runDirectory, JobOutputs.All, logger);
        BundleManifest? before = null, after = null;
        run.Publish(staging =>
        {
            // Inside the publication's lock, after recovery: the version named is the current one.
            var current = run.CurrentVersionDirectory ?? throw new ModelBundleException(runDirectory, "no model: the directory holds no run's outputs");
            var model = Path.Combine(current, JobOutputs.Model);
            (_, before) = ModelBundle.Load(model);
            var parsed = Parse(names, before.ClusterSizes.Length);
            var modelStaging = Directory.CreateDirectory(Path.Combine(staging, JobOutputs.Model)).FullName;
            after = ModelBundle.WriteNamed(model, before, modelStaging, parsed);
            CarryOver(current, staging, after.ModelVersion);
            return after.ModelVersion;
        }, keepVersions);
        return (before!, after!);
    }

    /// <summary>The run's other outputs describe the same fit: copied, with metrics naming the new model version.</summary>
    private static void CarryOver(string current, string staging, string modelVersion)
    {
        foreach (var output in new[] { JobOutputs.Assignments, JobOutputs.Labels, JobOutputs.Report })
        {
            if (File.Exists(Path.Combine(current, output)))
            {
                File.Copy(Path.Combine(current, output), Path.Combine(staging, output));
            }
        }
        var metricsPath = Path.Combine(current, JobOutputs.Metrics);
        if (!File.Exists(metricsPath))
        {
            return;
        }
        JsonObject metrics;
        try
        {
            metrics = JsonNode.Parse(File.ReadAllText(metricsPath)) as JsonObject ?? throw new InputFileException(metricsPath, "not a JSON object");
        }
        catch (JsonException e)
        {
            throw new InputFileException(metricsPath, $"not JSON: {e.Message}");
        }
        metrics["model_version"] = modelVersion;
        File.WriteAllText(Path.Combine(staging, JobOutputs.Metrics), metrics.ToJsonString(Json.Options));
    }

    /// <summary>Parses and checks names for a model with clusters <c>0 .. clusters − 1</c>.</summary>
    /// <exception cref="ArgumentException">A one-line reason.</exception>
    public static IReadOnlyDictionary<int, string> Parse(string names, int clusters)
    {
        ArgumentNullException.ThrowIfNull(names);
        var entries = File.Exists(names) ? FromFile(names) : FromText(names);
        var parsed = new Dictionary<int, string>();
        foreach (var (id, name) in entries)
        {
            if (id < 0 || id >= clusters)
            {
                throw new ArgumentException($"cluster {id} does not exist (the model has clusters 0 to {clusters - 1})");
            }
            if (string.IsNullOrWhiteSpace(name))
            {
                throw new ArgumentException($"cluster {id} has an empty name");
            }
            if (!parsed.TryAdd(id, name.Trim()))
            {
                throw new ArgumentException($"cluster {id} is named twice");
            }
        }
        if (parsed.Count == 0)
        {
            throw new ArgumentException("no names given");
        }
        return parsed;
    }

    private static List<(int Id, string Name)> FromText(string text)
    {
        var entries = new List<(int, string)>();
        foreach (var entry in text.Split(',', StringSplitOptions.TrimEntries | StringSplitOptions.RemoveEmptyEntries))
        {
            var equals = entry.IndexOf('=', StringComparison.Ordinal);
            if (equals <= 0 || !int.TryParse(entry.AsSpan(0, equals), NumberStyles.Integer, CultureInfo.InvariantCulture, out var id))
            {
                throw new ArgumentException($"'{entry}' is not <cluster id>=<name>");
            }
            entries.Add((id, entry[(equals + 1)..]));
        }
        return entries;
    }

    private static List<(int Id, string Name)> FromFile(string path)
    {
        try
        {
            using var document = JsonDocument.Parse(File.ReadAllText(path));
            if (document.RootElement.ValueKind != JsonValueKind.Object)
            {
                throw new ArgumentException($"{path}: expected a JSON object of cluster id to name");
            }
            var entries = new List<(int, string)>();
            foreach (var property in document.RootElement.EnumerateObject())
            {
                if (!int.TryParse(property.Name, NumberStyles.Integer, CultureInfo.InvariantCulture, out var id) || property.Value.ValueKind != JsonValueKind.String)
                {
                    throw new ArgumentException($"{path}: '{property.Name}' is not a cluster id with a name");
                }
                entries.Add((id, property.Value.GetString()!));
            }
            return entries;
        }
        catch (JsonException e)
        {
            throw new ArgumentException($"{path}: not JSON: {e.Message}", e);
        }
    }
}
