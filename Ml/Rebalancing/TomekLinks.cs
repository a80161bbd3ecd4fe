using Distributed.Ml.Neighbors;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Rebalancing;

/// <summary>
/// Tomek links (Tomek 1976): two rows of different classes that are each other's nearest
/// neighbour. Removing both members (imbalanced-learn's <c>TomekLinks(sampling_strategy='all')</c>,
/// which <c>SMOTETomek</c> uses) cleans the boundary between classes.
/// </summary>
/// <remarks>
/// Nearest neighbours come from <see cref="NeighborSearch"/>: exact below
/// <see cref="NeighborSearch.ExactThreshold"/> rows, where the links equal imblearn's (ties
/// aside: both break them by index, but a duplicate row may come before the row itself in
/// scikit-learn's answer), NN-descent above. There a row's nearest neighbour is occasionally missed
/// and a few links differ; NN-descent is asked for <see cref="SearchNeighbors"/> neighbours,
/// not 1, because its local joins need several neighbours per row to converge.
/// Deterministic for a seed.
/// </remarks>
public static class TomekLinks
{
    /// <summary>Neighbours per row the approximate search keeps; only the nearest is used.</summary>
    public const int SearchNeighbors = 5;

    /// <summary>Whether each row belongs to a Tomek link.</summary>
    public static bool[] Find(Matrix data, int[] labels, ulong seed)
    {
        LabelledRows.Validate(data, labels);
        var linked = new bool[data.Rows];
        if (data.Rows < 2)
        {
            return linked;
        }
        var k = data.Rows < NeighborSearch.ExactThreshold ? 1 : Math.Min(SearchNeighbors, data.Rows - 1);
        var graph = NeighborSearch.Build(data, k, seed);
        for (var i = 0; i < data.Rows; i++)
        {
            var nearest = graph.IndicesOf(i)[0];
            linked[i] = labels[nearest] != labels[i] && graph.IndicesOf(nearest)[0] == i;
        }
        return linked;
    }

    /// <summary>The rows that belong to no Tomek link, in their order.</summary>
    public static LabelledRows Remove(Matrix data, int[] labels, ulong seed)
    {
        var linked = Find(data, labels, seed);
        var kept = new List<int>(data.Rows);
        for (var i = 0; i < linked.Length; i++)
        {
            if (!linked[i])
            {
                kept.Add(i);
            }
        }
        var rows = kept.ToArray();
        return new LabelledRows(data.SelectRows(rows), Array.ConvertAll(rows, i => labels[i]));
    }
}
