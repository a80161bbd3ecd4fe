using Distributed.Bench.MlNet.Entries;

namespace Distributed.Bench.MlNet;

/// <summary>The entries that have an ML.NET peer, each named like our entry it is measured against.</summary>
internal static class PeerRegistry
{
    public static IReadOnlyList<IBenchEntry> All { get; } =
    [
        new PcaPeer(),
        new KMeansPeer(),
        new RandomForestFitPeer(),
        new RandomForestPredictPeer(),
    ];

    public static IBenchEntry? Find(string name) => All.FirstOrDefault(e => e.Name == name);
}
