using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Clustering;

/// <summary>
/// Flags rows that lie far from every cluster: a row is novel when its distance to each cluster's
/// centroid exceeds that cluster's radius, the <see cref="Quantile"/> of its training members'
/// distances to the centroid. Fitted on the training rows and their cluster assignments.
/// </summary>
/// <remarks>
/// Per-cluster radii because clusters differ in spread: a single global threshold would call the
/// tight clusters' outliers normal and the wide clusters' members novel. Deterministic (no randomness).
/// </remarks>
public sealed class NoveltyModel
{
    /// <summary>Kind tag in the serialised form.</summary>
    public const string Kind = "novelty";
    private const int FormatVersion = 1;

    /// <summary>Default share of each cluster's training rows inside its radius.</summary>
    public const double DefaultQuantile = 0.995;

    private NoveltyModel(float[] centroids, float[] radii, int dimension, double quantile)
    {
        Centroids = centroids;
        Radii = radii;
        Dimension = dimension;
        Quantile = quantile;
    }

    /// <summary>Cluster centroids, row-major clusters × <see cref="Dimension"/>.</summary>
    public float[] Centroids { get; }

    /// <summary>Radius of each cluster (Euclidean distance).</summary>
    public float[] Radii { get; }

    /// <summary>Columns expected on input.</summary>
    public int Dimension { get; }

    /// <summary>Share of each cluster's training rows inside its radius.</summary>
    public double Quantile { get; }

    /// <summary>Fits centroids and radii; noise rows (label −1) are ignored, empty clusters get radius 0.</summary>
    public static NoveltyModel Fit(Matrix rows, ReadOnlySpan<int> assignments, int clusters, double quantile = DefaultQuantile)
    {
        ArgumentNullException.ThrowIfNull(rows);
        ArgumentOutOfRangeException.ThrowIfLessThan(clusters, 1);
        if (!(quantile > 0 && quantile <= 1))
        {
            throw new ArgumentOutOfRangeException(nameof(quantile), $"Quantile must be in (0, 1], got {quantile}.");
        }
        if (assignments.Length != rows.Rows)
        {
            throw new ArgumentException($"{assignments.Length} assignments for {rows.Rows} rows.", nameof(assignments));
        }
        var d = rows.Cols;
        var sums = new double[clusters * d];
        var counts = new int[clusters];
        for (var i = 0; i < rows.Rows; i++)
        {
            var c = assignments[i];
            if (c < 0)
            {
                continue;
            }
            ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(c, clusters, nameof(assignments));
            counts[c]++;
            var row = rows.Row(i);
            for (var j = 0; j < d; j++)
            {
                sums[c * d + j] += row[j];
            }
        }
        var centroids = new float[clusters * d];
        for (var c = 0; c < clusters; c++)
        {
            for (var j = 0; j < d; j++)
            {
                centroids[c * d + j] = counts[c] == 0 ? 0f : (float)(sums[c * d + j] / counts[c]);
            }
        }
        var distances = new float[clusters][];
        var filled = new int[clusters];
        for (var c = 0; c < clusters; c++)
        {
            distances[c] = new float[counts[c]];
        }
        for (var i = 0; i < rows.Rows; i++)
        {
            var c = assignments[i];
            if (c >= 0)
            {
                distances[c][filled[c]++] = Distance(rows.Row(i), centroids.AsSpan(c * d, d));
            }
        }
        var radii = new float[clusters];
        for (var c = 0; c < clusters; c++)
        {
            if (counts[c] > 0)
            {
                Array.Sort(distances[c]);
                radii[c] = OfSorted(distances[c], quantile);
            }
        }
        return new NoveltyModel(centroids, radii, d, quantile);
    }

    /// <summary>Whether each row is outside every cluster's radius.</summary>
    public bool[] IsNovel(Matrix rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Cols != Dimension)
        {
            throw new ArgumentException($"Novelty expects {Dimension} columns, got {rows.Cols}.", nameof(rows));
        }
        var result = new bool[rows.Rows];
        for (var i = 0; i < rows.Rows; i++)
        {
            var novel = true;
            for (var c = 0; c < Radii.Length && novel; c++)
            {
                novel = Distance(rows.Row(i), Centroids.AsSpan(c * Dimension, Dimension)) > Radii[c];
            }
            result[i] = novel;
        }
        return result;
    }

    /// <summary>Serialises the centroids and radii.</summary>
    public void Save(Stream stream)
    {
        using var writer = new ModelWriter(stream, Kind, FormatVersion);
        writer.Write(Dimension);
        writer.Write(Quantile);
        writer.Write(Centroids);
        writer.Write(Radii);
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="ModelFormatException">Corrupted or foreign data.</exception>
    public static NoveltyModel Load(Stream stream)
    {
        using var reader = new ModelReader(stream, Kind, FormatVersion);
        var dimension = reader.ReadInt32();
        var quantile = reader.ReadDouble();
        ModelReader.Require(dimension > 0 && quantile is > 0 and <= 1, $"dimension {dimension}, quantile {quantile}");
        var centroids = reader.ReadSingles();
        var radii = reader.ReadSingles();
        ModelReader.Require(radii.Length > 0 && centroids.Length == radii.Length * dimension, $"{radii.Length} radii for {centroids.Length} centroid values");
        return new NoveltyModel(centroids, radii, dimension, quantile);
    }

    /// <summary>The <paramref name="quantile"/> of ascending non-empty <paramref name="sorted"/>: the smallest value with at least that share of them at or below it.</summary>
    internal static float OfSorted(float[] sorted, double quantile) =>
        sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(quantile * sorted.Length) - 1)];

    private static float Distance(ReadOnlySpan<float> a, ReadOnlySpan<float> b) =>
        System.Numerics.Tensors.TensorPrimitives.Distance(a, b);
}
