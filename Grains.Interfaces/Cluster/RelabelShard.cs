namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Relabel one shard's images with one self-labelling round's CNN.</summary>
/// <param name="ImagesRef">Store reference of the shard's images.</param>
/// <param name="ModelRef">Store reference of the round's trained CNN.</param>
/// <param name="EarlierRoundsRef">Store reference of the earlier rounds' class probabilities of the shard, summed (float32 .npy); null in the first round.</param>
/// <param name="RoundsSumRef">Where the sum including this round's probabilities goes (float32 .npy).</param>
/// <param name="FeaturesRef">Where the CNN's penultimate features (float32 .npy) go in the last round; null in a round before it, which needs only labels.</param>
/// <param name="OutputRef">
/// Where the labels (int32 .npy) go, written last, so its presence means the shard is done: with
/// <paramref name="FeaturesRef"/> (the last round) the refined labels, the largest class of the
/// rounds' sum; without, this round's CNN's own labels, which the next round trains on.
/// </param>
[GenerateSerializer, Immutable]
public sealed record RelabelShard(string ImagesRef, string ModelRef, string? EarlierRoundsRef, string RoundsSumRef, string? FeaturesRef, string OutputRef);
