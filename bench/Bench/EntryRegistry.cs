using Distributed.Bench.Entries;
using Distributed.Ml.Features;

namespace Distributed.Bench;

/// <summary>Every entry, in the order <c>bench/run</c> runs them. Add new entries here.</summary>
internal static class EntryRegistry
{
    public static IReadOnlyList<IBenchEntry> All { get; } =
    [
        new PcaEntry(),
        new KMeansEntry(),
        new GmmEntry(),
        new UmapEntry(),
        new DbscanEntry(),
        new AgglomerativeEntry(),
        new RandomForestFitEntry(),
        new RandomForestPredictEntry(),
        new SmoteTomekEntry(),
        new LabelSpreadingEntry(),
        new AutoencoderTrainEntry("autoencoder_train", AutoencoderArchitecture.Dense),
        new AutoencoderTrainEntry("autoencoder_train_conv", AutoencoderArchitecture.Convolutional),
        new AutoencoderTrainCudaEntry(),
    ];

    public static IBenchEntry? Find(string name) => All.FirstOrDefault(e => e.Name == name);
}
