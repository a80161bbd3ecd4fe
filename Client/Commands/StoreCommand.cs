using System.CommandLine;
using System.Globalization;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Jobs;
using Distributed.Grains.Storage;

namespace Distributed.Client.Commands;

/// <summary>
/// <c>store gc --store &lt;dir&gt; --older-than &lt;age&gt; [--out &lt;run-dir&gt;]…</c>: removes what finished,
/// failed or crashed jobs left in a shard store, and finishes or removes interrupted publications
/// in run directories.
/// </summary>
internal static class StoreCommand
{
    public static Command Create(TextWriter output)
    {
        var store = new Option<string>("--store") { Description = "The shard store directory", Required = true };
        var olderThan = new Option<string>("--older-than")
        {
            Description = "Remove job directories and temporary files not written for this long: 90s, 30m, 12h, 7d (a running job writes at every phase)",
            Required = true,
        };
        var runs = new Option<string[]>("--out") { Description = "Run directories to recover as well (leftovers of interrupted publications); repeatable", AllowMultipleArgumentsPerToken = true };
        var gc = new Command("gc", "Remove old job data and interrupted writes from a shard store") { store, olderThan, runs };
        gc.SetAction(parse =>
        {
            var age = ParseAge(parse.GetValue(olderThan)!);
            var root = parse.GetValue(store)!;
            if (!Directory.Exists(root))
            {
                throw new UserError($"--store {root}: no such directory");
            }
            var collected = StoreCollector.Collect(new ShardStore(root), age, DateTime.UtcNow);
            var kept = collected.KeptJob is { } job ? $"; kept job {job} (it holds the registry's current model)" : "";
            output.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"removed {collected.Jobs} job(s) and {collected.Leftovers} temporary file(s), {collected.Bytes / 1e6:0.0} MB{kept}"));
            foreach (var run in parse.GetValue(runs) ?? [])
            {
                new RunDirectory(run, JobOutputs.All, ConsoleLog.Create(output)).Recover();
            }
            return ExitCodes.Success;
        });
        return new Command("store", "Maintain a shard store") { gc };
    }

    /// <summary>An age as a number and a unit (s, m, h, d).</summary>
    internal static TimeSpan ParseAge(string text)
    {
        var unit = text.Length > 0 ? text[^1] : ' ';
        if (text.Length >= 2 && double.TryParse(text.AsSpan(0, text.Length - 1), NumberStyles.Float, CultureInfo.InvariantCulture, out var amount) && amount >= 0)
        {
            switch (unit)
            {
                case 's': return TimeSpan.FromSeconds(amount);
                case 'm': return TimeSpan.FromMinutes(amount);
                case 'h': return TimeSpan.FromHours(amount);
                case 'd': return TimeSpan.FromDays(amount);
            }
        }
        throw new UserError($"--older-than must be a number and a unit (s, m, h or d), e.g. 12h; got '{text}'");
    }
}
