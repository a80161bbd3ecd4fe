using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Clustering;

/// <summary>
/// Fitted agglomerative clustering, kept as its cluster centroids: a new row joins the cluster whose
/// centroid is nearest (scikit-learn's <c>AgglomerativeClustering</c> has no predict; this is the
/// rule the fit itself uses for rows outside its sample).
/// </summary>
/// <remarks>
/// On training rows the nearest centroid usually, not always, equals the tree's cut:
/// average and complete linkage in particular can make non-convex clusters. Deterministic.
/// </remarks>
public sealed class AgglomerativeModel : IClusterModel
{
    /// <summary>Kind tag in the serialised form.</summary>
    public const string Kind = "agglomerative";
    private const int FormatVersion = 1;

    /// <summary>Creates a model from centroids (row-major k×d).</summary>
    public AgglomerativeModel(float[] centroids, int clusterCount, int dimension, Linkage linkage, int treeRows)
    {
        ArgumentNullException.ThrowIfNull(centroids);
        if (clusterCount < 1 || dimension < 1 || centroids.Length != (long)clusterCount * dimension)
        {
            throw new ArgumentException($"{clusterCount}×{dimension} centroids need {(long)clusterCount * dimension} values, got {centroids.Length}.", nameof(centroids));
        }
        if (!Enum.IsDefined(linkage))
        {
            throw new ArgumentOutOfRangeException(nameof(linkage), $"Unknown linkage {linkage}.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(treeRows, clusterCount);
        Centroids = centroids;
        ClusterCount = clusterCount;
        Dimension = dimension;
        Linkage = linkage;
        TreeRows = treeRows;
    }

    /// <summary>Cluster centroids, row-major k×d, means of the tree rows in each cluster.</summary>
    public float[] Centroids { get; }

    /// <inheritdoc />
    public int ClusterCount { get; }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <summary>Linkage the tree was built with.</summary>
    public Linkage Linkage { get; }

    /// <summary>Rows the tree was built on: all of them, or the seeded sample when there were more than the exact limit.</summary>
    public int TreeRows { get; }

    /// <inheritdoc />
    public int[] Predict(Matrix rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Cols != Dimension)
        {
            throw new ArgumentException($"Agglomerative clustering expects {Dimension} columns, got {rows.Cols}.", nameof(rows));
        }
        var labels = new int[rows.Rows];
        NearestCentre.Assign(rows, Centroids, ClusterCount, labels, new float[rows.Rows]);
        return labels;
    }

    /// <inheritdoc />
    public void Save(Stream stream)
    {
        using var writer = new ModelWriter(stream, Kind, FormatVersion);
        writer.Write(ClusterCount);
        writer.Write(Dimension);
        writer.Write((int)Linkage);
        writer.Write(TreeRows);
        writer.Write(Centroids);
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="ModelFormatException">Corrupted or foreign data.</exception>
    public static AgglomerativeModel Load(Stream stream)
    {
        using var reader = new ModelReader(stream, Kind, FormatVersion);
        var k = reader.ReadInt32();
        var d = reader.ReadInt32();
        var linkage = (Linkage)reader.ReadInt32();
        var treeRows = reader.ReadInt32();
        ModelReader.Require(k > 0 && d > 0 && Enum.IsDefined(linkage) && treeRows >= k, $"{k} clusters of dimension {d}, linkage {(int)linkage}, {treeRows} tree rows");
        var centroids = reader.ReadSingles(checked(k * d));
        return new AgglomerativeModel(centroids, k, d, linkage, treeRows);
    }
}
