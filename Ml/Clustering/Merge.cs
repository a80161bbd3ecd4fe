namespace Distributed.Ml.Clustering;

/// <summary>One merge of an agglomeration: the clusters represented by rows <paramref name="A"/> and <paramref name="B"/> joined at <paramref name="Distance"/>.</summary>
internal readonly record struct Merge(int A, int B, double Distance);
