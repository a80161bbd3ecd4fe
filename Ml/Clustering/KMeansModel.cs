using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Clustering;

/// <summary>Fitted k-means: the centres, with the fit's inertia and convergence report.</summary>
public sealed class KMeansModel : IClusterModel
{
    /// <summary>Kind tag in the serialised form.</summary>
    public const string Kind = "kmeans";
    private const int FormatVersion = 1;

    /// <summary>Creates a model from centres (row-major k×d).</summary>
    public KMeansModel(float[] centres, int clusterCount, int dimension, double inertia, int iterations, bool converged)
    {
        ArgumentNullException.ThrowIfNull(centres);
        if (centres.Length != clusterCount * dimension)
        {
            throw new ArgumentException($"{clusterCount}×{dimension} centres need {clusterCount * dimension} values.", nameof(centres));
        }
        Centres = centres;
        ClusterCount = clusterCount;
        Dimension = dimension;
        Inertia = inertia;
        Iterations = iterations;
        Converged = converged;
    }

    /// <summary>Cluster centres, row-major k×d.</summary>
    public float[] Centres { get; }

    /// <inheritdoc />
    public int ClusterCount { get; }

    /// <inheritdoc />
    public int Dimension { get; }

    /// <summary>Sum of squared distances of the training rows to their centres.</summary>
    public double Inertia { get; }

    /// <summary>Iterations of the winning restart.</summary>
    public int Iterations { get; }

    /// <summary>Whether the winning restart met the tolerance before the iteration limit.</summary>
    public bool Converged { get; }

    /// <inheritdoc />
    public int[] Predict(Matrix rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Cols != Dimension)
        {
            throw new ArgumentException($"k-means expects {Dimension} columns, got {rows.Cols}.", nameof(rows));
        }
        var labels = new int[rows.Rows];
        NearestCentre.Assign(rows, Centres, ClusterCount, labels, new float[rows.Rows]);
        return labels;
    }

    /// <inheritdoc />
    public void Save(Stream stream)
    {
        using var writer = new ModelWriter(stream, Kind, FormatVersion);
        writer.Write(ClusterCount);
        writer.Write(Dimension);
        writer.Write(Inertia);
        writer.Write(Iterations);
        writer.Write(Converged ? 1 : 0);
        writer.Write(Centres);
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="ModelFormatException">Corrupted or foreign data.</exception>
    public static KMeansModel Load(Stream stream)
    {
        using var reader = new ModelReader(stream, Kind, FormatVersion);
        var k = reader.ReadInt32();
        var d = reader.ReadInt32();
        ModelReader.Require(k > 0 && d > 0, $"{k} clusters of dimension {d}");
        var inertia = reader.ReadDouble();
        var iterations = reader.ReadInt32();
        var converged = reader.ReadInt32() != 0;
        var centres = reader.ReadSingles(checked(k * d));
        return new KMeansModel(centres, k, d, inertia, iterations, converged);
    }
}
