using System.Reflection;
using System.Text.Json.Nodes;
using Distributed.Ml.Data;
using Microsoft.ML;

namespace Distributed.Bench.MlNet;

/// <summary>
/// The ML.NET side of the benchmark harness (driven by <c>bench/run</c>, beside our side and the
/// reference side): <c>list</c> prints the entries with an ML.NET peer; <c>&lt;entry&gt; --work &lt;dir&gt;</c>
/// runs that peer on the prepared inputs and prints one JSON line on stdout.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: Distributed.Bench.MlNet list
               Distributed.Bench.MlNet <entry> --work <dir>
        """;

    private static int Main(string[] args)
    {
        try
        {
            return Run(args);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or DataFormatException or FormatException)
        {
            // The errors of reading the work directory (as Distributed.Bench): one line, exit status 1.
            // Anything else ML.NET throws is not expected and keeps its stack trace.
            Console.Error.WriteLine($"mlnet: error: {e.Message}");
            return 1;
        }
    }

    private static int Run(string[] args)
    {
        if (args.Length == 0 || args[0] is "-h" or "--help")
        {
            Console.Error.WriteLine(Usage);
            return args.Length == 0 ? 2 : 0;
        }
        if (args[0] == "list")
        {
            foreach (var peer in PeerRegistry.All)
            {
                Console.WriteLine(peer.Name);
            }
            return 0;
        }
        var entry = PeerRegistry.Find(args[0]);
        if (entry is null)
        {
            Console.Error.WriteLine($"mlnet: error: no ML.NET peer for '{args[0]}' (known: {string.Join(", ", PeerRegistry.All.Select(e => e.Name))})");
            return 2;
        }
        if (args.Length != 3 || args[1] != "--work")
        {
            Console.Error.WriteLine(Usage);
            return 2;
        }
        var data = new BenchData(args[2]);
        Console.Error.WriteLine($"mlnet: {entry.Name}: {PeerName}, {MlNetInputs.Threads} threads");
        entry.WarmUp(data);
        var result = entry.Run(data);
        Console.WriteLine(new JsonObject
        {
            ["name"] = entry.Name,
            ["side"] = "mlnet",
            ["peer"] = PeerName,
            ["seconds"] = result.Seconds,
            ["quality"] = result.Quality,
            ["quality_metric"] = entry.QualityMetric,
            ["notes"] = result.Notes,
            ["threads"] = MlNetInputs.Threads,
        }.ToJsonString());
        return 0;
    }

    /// <summary>"ML.NET" and the version of the Microsoft.ML assembly that ran (its informational version, without the commit).</summary>
    private static string PeerName
    {
        get
        {
            var version = typeof(MLContext).Assembly.GetCustomAttribute<AssemblyInformationalVersionAttribute>()?.InformationalVersion
                ?? typeof(MLContext).Assembly.GetName().Version?.ToString() ?? "unknown version";
            return $"ML.NET {version.Split('+')[0]}";
        }
    }
}
