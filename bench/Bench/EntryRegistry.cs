using Distributed.Bench.Entries;

namespace Distributed.Bench;

/// <summary>Every entry, in the order <c>bench/run</c> runs them. Add new entries here.</summary>
internal static class EntryRegistry
{
    public static IReadOnlyList<IBenchEntry> All { get; } =
    [
        new KMeansEntry(),
        new RandomForestFitEntry(),
        new RandomForestPredictEntry(),
    ];

    public static IBenchEntry? Find(string name) => All.FirstOrDefault(e => e.Name == name);
}
