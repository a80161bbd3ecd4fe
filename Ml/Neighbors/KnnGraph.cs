namespace Distributed.Ml.Neighbors;

/// <summary>
/// The k nearest neighbours of each of <see cref="Count"/> points: row-major <see cref="Count"/>×<see cref="Neighbors"/>
/// indices and Euclidean (not squared) distances, each row sorted by ascending distance (ties by index).
/// </summary>
/// <remarks>
/// When a set is searched against itself a point is not its own neighbour; duplicates of it at
/// distance 0 are. The searches in this namespace fill every row; a graph built elsewhere may mark
/// missing neighbours with index −1 (and an infinite distance) at the end of a row.
/// </remarks>
public sealed class KnnGraph
{
    /// <summary>Wraps row-major neighbour arrays (not copied).</summary>
    public KnnGraph(int count, int neighbors, int[] indices, float[] distances)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(count);
        ArgumentOutOfRangeException.ThrowIfNegative(neighbors);
        ArgumentNullException.ThrowIfNull(indices);
        ArgumentNullException.ThrowIfNull(distances);
        if (indices.Length != (long)count * neighbors || distances.Length != indices.Length)
        {
            throw new ArgumentException($"{count}×{neighbors} neighbours need {(long)count * neighbors} indices and distances.");
        }
        Count = count;
        Neighbors = neighbors;
        Indices = indices;
        Distances = distances;
    }

    /// <summary>Number of query points (rows).</summary>
    public int Count { get; }

    /// <summary>Neighbours per point, k.</summary>
    public int Neighbors { get; }

    /// <summary>Neighbour indices, row-major <see cref="Count"/>×<see cref="Neighbors"/>.</summary>
    public int[] Indices { get; }

    /// <summary>Euclidean distances matching <see cref="Indices"/>.</summary>
    public float[] Distances { get; }

    /// <summary>The neighbours of point <paramref name="row"/>, nearest first.</summary>
    public ReadOnlySpan<int> IndicesOf(int row) => Indices.AsSpan(row * Neighbors, Neighbors);

    /// <summary>The distances of point <paramref name="row"/>'s neighbours, ascending.</summary>
    public ReadOnlySpan<float> DistancesOf(int row) => Distances.AsSpan(row * Neighbors, Neighbors);

    /// <summary>
    /// Share of the <paramref name="reference"/> neighbours (typically exact ones) that this graph
    /// also lists for the same point, over all rows. Both graphs must have the same rows and k.
    /// </summary>
    public double Recall(KnnGraph reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        if (reference.Count != Count || reference.Neighbors != Neighbors)
        {
            throw new ArgumentException($"Recall compares graphs of the same shape; got {Count}×{Neighbors} and {reference.Count}×{reference.Neighbors}.", nameof(reference));
        }
        long found = 0;
        long total = 0;
        for (var i = 0; i < Count; i++)
        {
            var mine = IndicesOf(i);
            foreach (var j in reference.IndicesOf(i))
            {
                if (j < 0)
                {
                    continue;
                }
                total++;
                found += mine.Contains(j) ? 1 : 0;
            }
        }
        return total == 0 ? 1.0 : (double)found / total;
    }
}
