using System.Globalization;
using Distributed.Grains.Interfaces.Serving;

namespace Distributed.Bench.Load;

/// <summary>Command-line settings of a load run; defaults are the product's reference run (single-image .npy requests).</summary>
internal sealed record LoadSettings(Uri Url, string? ImagesPath, int Requests, int Concurrency, int Warmup, TimeSpan Deadline,
    PredictorWireFormat Format, int ImagesPerRequest)
{
    /// <summary>The <c>--format</c> names.</summary>
    public static readonly IReadOnlyDictionary<string, PredictorWireFormat> Formats = new Dictionary<string, PredictorWireFormat>(StringComparer.Ordinal)
    {
        ["json"] = PredictorWireFormat.Json,
        ["npy"] = PredictorWireFormat.Npy,
        ["msgpack"] = PredictorWireFormat.MessagePack,
    };

    private static readonly string[] s_names = ["url", "images", "requests", "concurrency", "warmup", "deadline-s", "format", "images-per-request"];

    /// <summary>Parses <c>--name value</c> pairs; null on anything unknown or malformed.</summary>
    public static LoadSettings? Parse(string[] args)
    {
        var values = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i + 1 < args.Length; i += 2)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal))
            {
                return null;
            }
            values[args[i][2..]] = args[i + 1];
        }
        if (args.Length % 2 != 0 || !values.TryGetValue("url", out var url) || !Uri.TryCreate(url.EndsWith('/') ? url : url + "/", UriKind.Absolute, out var uri)
            || !Formats.TryGetValue(values.GetValueOrDefault("format", "npy"), out var format))
        {
            return null;
        }
        int Int(string name, int fallback) => values.TryGetValue(name, out var text) ? int.Parse(text, CultureInfo.InvariantCulture) : fallback;
        var settings = new LoadSettings(uri, values.GetValueOrDefault("images"), Int("requests", 20_000), Int("concurrency", 32), Int("warmup", 1_000),
            TimeSpan.FromSeconds(Int("deadline-s", 300)), format, Int("images-per-request", 1));
        return values.Keys.All(s_names.Contains) && settings.Requests > 0 && settings.Concurrency > 0 && settings.ImagesPerRequest > 0
            ? settings
            : null;
    }
}
