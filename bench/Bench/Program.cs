using System.Globalization;
using System.Text.Json.Nodes;
using Distributed.Ml.Data;
using Distributed.Ml.Numerics;

namespace Distributed.Bench;

/// <summary>
/// Our side of the benchmark harness (driven by <c>bench/run</c>):
/// <c>list</c> prints the entry names; <c>prepare</c> writes the shared inputs;
/// <c>&lt;entry&gt; --work &lt;dir&gt;</c> runs one entry and prints one JSON line on stdout.
/// </summary>
internal static class Program
{
    private const string Usage = """
        usage: Distributed.Bench list
               Distributed.Bench prepare --images <npy> --labels <npy> --work <dir> [--rows N] [--seed N] [--single-row-predictions N] [--autoencoder-epochs N] [--mode NAME]
               Distributed.Bench <entry> --work <dir>
        """;

    private static int Main(string[] args)
    {
        try
        {
            return Run(args);
        }
        catch (Exception e) when (e is ArgumentException or InvalidOperationException or IOException or DataFormatException or FormatException)
        {
            Console.Error.WriteLine($"bench: error: {e.Message}");
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
        var options = ParseOptions(args.AsSpan(1));
        switch (args[0])
        {
            case "list":
                foreach (var entry in EntryRegistry.All)
                {
                    Console.WriteLine(entry.Name);
                }
                return 0;
            case "prepare":
                Prepare.Run(new Prepare.Options(
                    Required(options, "images"), Required(options, "labels"), Required(options, "work"),
                    int.Parse(options.GetValueOrDefault("rows", "0"), CultureInfo.InvariantCulture),
                    ulong.Parse(options.GetValueOrDefault("seed", "42"), CultureInfo.InvariantCulture),
                    int.Parse(options.GetValueOrDefault("single-row-predictions", "2000"), CultureInfo.InvariantCulture),
                    int.Parse(options.GetValueOrDefault("autoencoder-epochs", "2"), CultureInfo.InvariantCulture),
                    options.GetValueOrDefault("mode", "full")));
                return 0;
            default:
                var selected = EntryRegistry.Find(args[0]);
                if (selected is null)
                {
                    Console.Error.WriteLine($"bench: error: unknown entry '{args[0]}' (known: {string.Join(", ", EntryRegistry.All.Select(e => e.Name))})");
                    return 2;
                }
                RunEntry(selected, new BenchData(Required(options, "work")));
                return 0;
        }
    }

    private static void RunEntry(IBenchEntry entry, BenchData data)
    {
        Console.Error.WriteLine($"ours: {entry.Name}: {Environment.ProcessorCount} threads, SGEMM {Gemm.Backend}, network training {Gemm.TrainingBackend}");
        EntryResult result;
        try
        {
            entry.WarmUp(data);
            result = entry.Run(data);
        }
        catch (EntrySkippedException skipped)
        {
            // Not a failure and not a figure: bench/run then leaves out the reference side, and the report says why.
            Console.Error.WriteLine($"ours: {entry.Name}: skipped: {skipped.Message}");
            Console.WriteLine(new JsonObject { ["name"] = entry.Name, ["side"] = "ours", ["skipped"] = skipped.Message }.ToJsonString());
            return;
        }
        finally
        {
            (entry as IDisposable)?.Dispose();
        }
        var line = new JsonObject
        {
            ["name"] = entry.Name,
            ["side"] = "ours",
            ["seconds"] = result.Seconds,
            ["quality"] = result.Quality,
            ["quality_metric"] = entry.QualityMetric,
            ["notes"] = result.Notes,
            ["threads"] = Environment.ProcessorCount,
            ["blas"] = Gemm.Backend,
            ["training_gemm"] = Gemm.TrainingBackend,
        };
        Console.WriteLine(line.ToJsonString());
    }

    private static Dictionary<string, string> ParseOptions(ReadOnlySpan<string> args)
    {
        var options = new Dictionary<string, string>(StringComparer.Ordinal);
        for (var i = 0; i < args.Length; i++)
        {
            if (!args[i].StartsWith("--", StringComparison.Ordinal) || i + 1 >= args.Length)
            {
                throw new ArgumentException($"expected '--name value', got '{args[i]}'\n{Usage}");
            }
            options[args[i][2..]] = args[++i];
        }
        return options;
    }

    private static string Required(Dictionary<string, string> options, string name) =>
        options.TryGetValue(name, out var value) ? value : throw new ArgumentException($"--{name} is required\n{Usage}");
}
