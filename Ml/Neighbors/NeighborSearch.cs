using Distributed.Ml.Numerics;

namespace Distributed.Ml.Neighbors;

/// <summary>
/// The k-nearest-neighbour graph of a data set by the cheaper adequate method: exact brute force
/// for small sets, where it is fast and NN-descent's overhead does not pay, NN-descent above.
/// </summary>
public static class NeighborSearch
{
    /// <summary>Sets with fewer rows than this are searched exactly.</summary>
    public const int ExactThreshold = 4096;

    /// <summary>The <paramref name="neighbors"/> nearest other rows of each row (itself excluded), deterministic for a seed.</summary>
    public static KnnGraph Build(Matrix data, int neighbors, ulong seed)
    {
        ArgumentNullException.ThrowIfNull(data);
        return data.Rows < ExactThreshold
            ? ExactNeighbors.Build(data, neighbors)
            : NearestNeighborDescent.Build(data, new NearestNeighborDescentOptions { Neighbors = neighbors, Seed = seed });
    }
}
