using System.Globalization;
using System.Text.Json;
using Distributed.Grains.Storage;

namespace Distributed.Grains.Jobs;

/// <summary>
/// <c>name</c>: gives a run's clusters human names, as a new version of its model bundle (stages
/// unchanged, the manifest maps ids to names). Names come from a JSON file (<c>{"0": "zero", …}</c>)
/// or inline (<c>0=zero,1=one</c>).
/// </summary>
public static class NamingJob
{
    /// <summary>Names the clusters of the bundle in <paramref name="runDirectory"/>/model; returns the old and the new manifest.</summary>
    /// <exception cref="ArgumentException">The names do not parse, name a cluster twice, name one that does not exist, or are empty.</exception>
    /// <exception cref="ModelBundleException">The bundle is unusable.</exception>
    public static (BundleManifest Before, BundleManifest After) Run(string runDirectory, string names)
    {
        ArgumentNullException.ThrowIfNull(runDirectory);
        var bundle = Path.Combine(runDirectory, JobOutputs.Model);
        var (_, before) = ModelBundle.Load(bundle);
        var parsed = Parse(names, before.ClusterSizes.Length);
        return (before, ModelBundle.Name(bundle, parsed));
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
