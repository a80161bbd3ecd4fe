using System.Globalization;
using Distributed.Grains.Interfaces.Serving;

namespace Distributed.Bench.Load;

/// <summary>Command-line settings of a load run; defaults are the product's reference run (single-image .npy requests, closed loop).</summary>
/// <param name="Url">The server's root, e.g. <c>http://127.0.0.1:5080/</c>.</param>
/// <param name="ImagesPath">A uint8 .npy of images to send; null sends seeded noise.</param>
/// <param name="Requests">Requests measured, after the warm-up.</param>
/// <param name="Concurrency">Requests in flight in the closed loop, and in the warm-up of either loop.</param>
/// <param name="Warmup">Requests sent before measuring (JIT, connections, caches).</param>
/// <param name="Deadline">When the run stops, measured or not.</param>
/// <param name="Format">How the images travel.</param>
/// <param name="ImagesPerRequest">Images in each request.</param>
/// <param name="Rate">Requests per second of the open loop; null runs the closed loop.</param>
/// <param name="MaxOutstanding">Most requests the open loop keeps in flight; a due request waits for a free slot past it (and still counts its latency from its scheduled time).</param>
/// <param name="ServerPid">The serving process, whose CPU time is measured; null measures none.</param>
/// <param name="RawClient">Open loop only: send over plain HTTP/1.1 connections (<see cref="RawOpenLoop"/>) instead of <see cref="Distributed.Predictor.Client.PredictorClient"/>; .npy only.</param>
internal sealed record LoadSettings(Uri Url, string? ImagesPath, int Requests, int Concurrency, int Warmup, TimeSpan Deadline,
    PredictorWireFormat Format, int ImagesPerRequest, double? Rate, int MaxOutstanding, int? ServerPid, bool RawClient)
{
    /// <summary>
    /// Default of <see cref="MaxOutstanding"/>. Requests in flight are the rate times the latency (Little's law):
    /// 2,000 requests/s answered in 5 ms is 10, so only a server far behind its schedule reaches this.
    /// </summary>
    public const int DefaultMaxOutstanding = 1024;

    /// <summary>The <c>--format</c> names.</summary>
    public static readonly IReadOnlyDictionary<string, PredictorWireFormat> Formats = new Dictionary<string, PredictorWireFormat>(StringComparer.Ordinal)
    {
        ["json"] = PredictorWireFormat.Json,
        ["npy"] = PredictorWireFormat.Npy,
        ["msgpack"] = PredictorWireFormat.MessagePack,
    };

    private static readonly string[] s_names = ["url", "images", "requests", "concurrency", "warmup", "deadline-s", "format", "images-per-request", "rate", "max-outstanding", "server-pid", "client"];

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
        // A value that does not parse makes the whole line malformed (null), like an unknown name.
        var malformed = false;
        int Int(string name, int fallback)
        {
            if (!values.TryGetValue(name, out var text))
            {
                return fallback;
            }
            malformed |= !int.TryParse(text, NumberStyles.Integer, CultureInfo.InvariantCulture, out var value);
            return value;
        }
        double? Rate()
        {
            if (!values.TryGetValue("rate", out var text))
            {
                return null;
            }
            malformed |= !double.TryParse(text, NumberStyles.Float, CultureInfo.InvariantCulture, out var value) || !double.IsFinite(value);
            return value;
        }
        var settings = new LoadSettings(uri, values.GetValueOrDefault("images"), Int("requests", 20_000), Int("concurrency", 32), Int("warmup", 1_000),
            TimeSpan.FromSeconds(Int("deadline-s", 300)), format, Int("images-per-request", 1), Rate(),
            Int("max-outstanding", DefaultMaxOutstanding), values.ContainsKey("server-pid") ? Int("server-pid", 0) : null,
            values.GetValueOrDefault("client", "predictor") == "raw");
        malformed |= values.GetValueOrDefault("client", "predictor") is not ("predictor" or "raw");
        return !malformed && values.Keys.All(s_names.Contains) && settings.Requests > 0 && settings.Concurrency > 0 && settings.Warmup >= 0
            && settings.ImagesPerRequest > 0 && settings.Rate is null or > 0 && settings.MaxOutstanding > 0 && settings.ServerPid is null or > 0
            && (!settings.RawClient || (settings.Rate is not null && settings.Format == PredictorWireFormat.Npy))
            ? settings
            : null;
    }
}
