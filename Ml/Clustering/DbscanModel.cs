using Distributed.Ml.Neighbors;
using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Clustering;

/// <summary>
/// Fitted DBSCAN: the core rows with their clusters, the radius and min_samples. A new row joins
/// the cluster of its nearest core row when that row lies within eps, and is noise (−1) otherwise.
/// </summary>
/// <remarks>
/// scikit-learn's DBSCAN has no predict; this rule is the natural extension: a new row within eps
/// of a core row would have been a border (or core) row of that cluster had it been in the training
/// set. On training rows it reproduces the fit's labels except for border rows within reach of two
/// clusters (the fit gives them the lower-numbered cluster, predict the nearest core row's).
/// Deterministic; the k-d tree over the core rows is built on first use.
/// </remarks>
public sealed class DbscanModel : IClusterModel
{
    /// <summary>Kind tag in the serialised form.</summary>
    public const string Kind = "dbscan";
    private const int FormatVersion = 1;

    private readonly Lazy<KdTree> _tree;

    /// <summary>Creates a model from core rows and their clusters (0..<paramref name="clusterCount"/>−1).</summary>
    public DbscanModel(Matrix corePoints, int[] coreLabels, int clusterCount, double eps, int minSamples, bool epsChosen)
    {
        ArgumentNullException.ThrowIfNull(corePoints);
        ArgumentNullException.ThrowIfNull(coreLabels);
        if (coreLabels.Length != corePoints.Rows)
        {
            throw new ArgumentException($"{coreLabels.Length} labels for {corePoints.Rows} core rows.", nameof(coreLabels));
        }
        ArgumentOutOfRangeException.ThrowIfNegative(clusterCount);
        foreach (var label in coreLabels)
        {
            if (label < 0 || label >= clusterCount)
            {
                throw new ArgumentException($"Core label {label} is outside 0..{clusterCount - 1}.", nameof(coreLabels));
            }
        }
        if (!(eps > 0 && double.IsFinite(eps)))
        {
            throw new ArgumentOutOfRangeException(nameof(eps), $"Eps must be positive and finite, got {eps}.");
        }
        ArgumentOutOfRangeException.ThrowIfLessThan(minSamples, 1);
        CorePoints = corePoints;
        CoreLabels = coreLabels;
        ClusterCount = clusterCount;
        Eps = eps;
        MinSamples = minSamples;
        EpsChosen = epsChosen;
        _tree = new Lazy<KdTree>(() => new KdTree(corePoints));
    }

    /// <summary>The core rows, one per row.</summary>
    public Matrix CorePoints { get; }

    /// <summary>Cluster of each core row.</summary>
    public int[] CoreLabels { get; }

    /// <summary>Clusters found (may differ from any requested count; 0 when every row was noise).</summary>
    public int ClusterCount { get; }

    /// <inheritdoc />
    public int Dimension => CorePoints.Cols;

    /// <summary>Neighbourhood radius used.</summary>
    public double Eps { get; }

    /// <summary>Rows (itself included) a core row had within <see cref="Eps"/>.</summary>
    public int MinSamples { get; }

    /// <summary>Whether <see cref="Eps"/> was chosen from the k-distance curve rather than given.</summary>
    public bool EpsChosen { get; }

    /// <inheritdoc />
    public int[] Predict(Matrix rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Cols != Dimension)
        {
            throw new ArgumentException($"DBSCAN expects {Dimension} columns, got {rows.Cols}.", nameof(rows));
        }
        var labels = new int[rows.Rows];
        Array.Fill(labels, -1);
        if (CorePoints.Rows == 0)
        {
            return labels;
        }
        var tree = _tree.Value;
        var radiusSquared = (float)(Eps * Eps);
        const int blockRows = 1024;
        var blocks = (rows.Rows + blockRows - 1) / blockRows;
        Parallel.For(0, blocks, () => (new int[1], new float[1]), (b, _, nearest) =>
        {
            var end = Math.Min(rows.Rows, (b + 1) * blockRows);
            for (var i = b * blockRows; i < end; i++)
            {
                tree.Nearest(rows.Row(i), nearest.Item1, nearest.Item2);
                if (nearest.Item2[0] <= radiusSquared)
                {
                    labels[i] = CoreLabels[nearest.Item1[0]];
                }
            }
            return nearest;
        }, _ => { });
        return labels;
    }

    /// <inheritdoc />
    public void Save(Stream stream)
    {
        using var writer = new ModelWriter(stream, Kind, FormatVersion);
        writer.Write(ClusterCount);
        writer.Write(Dimension);
        writer.Write(Eps);
        writer.Write(MinSamples);
        writer.Write(EpsChosen ? 1 : 0);
        writer.Write(CoreLabels);
        writer.Write(CorePoints.Data);
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="ModelFormatException">Corrupted or foreign data.</exception>
    public static DbscanModel Load(Stream stream)
    {
        using var reader = new ModelReader(stream, Kind, FormatVersion);
        var clusters = reader.ReadInt32();
        var d = reader.ReadInt32();
        var eps = reader.ReadDouble();
        var minSamples = reader.ReadInt32();
        var epsChosen = reader.ReadInt32() != 0;
        ModelReader.Require(clusters >= 0 && d > 0 && eps > 0 && double.IsFinite(eps) && minSamples >= 1,
            $"{clusters} clusters of dimension {d}, eps {eps}, min_samples {minSamples}");
        var labels = reader.ReadInt32s();
        var points = reader.ReadSingles(checked(labels.Length * d));
        ModelReader.Require(Array.TrueForAll(labels, l => l >= 0 && l < clusters), "core labels outside the cluster range");
        return new DbscanModel(new Matrix(labels.Length, d, points), labels, clusters, eps, minSamples, epsChosen);
    }
}
