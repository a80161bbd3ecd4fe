using Distributed.Ml.Features;
using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Embedding;

/// <summary>
/// A fitted UMAP: the embedding of the training rows, and what placing new rows needs — the
/// training rows themselves, the curve parameters and the optimisation settings.
/// </summary>
public sealed partial class UmapModel : IFittedTransform
{
    /// <summary>Kind tag in the serialised form.</summary>
    public const string Kind = "umap";
    private const int FormatVersion = 1;

    internal UmapModel(Matrix trainingData, Matrix embedding, double a, double b, double meanDistance, Settings settings)
    {
        TrainingData = trainingData;
        Embedding = embedding;
        A = a;
        B = b;
        MeanDistance = meanDistance;
        Neighbors = settings.Neighbors;
        TransformEpochs = settings.TransformEpochs;
        LearningRate = settings.LearningRate;
        NegativeSampleRate = settings.NegativeSampleRate;
        RepulsionStrength = settings.RepulsionStrength;
        Seed = settings.Seed;
    }

    /// <summary>The training rows (a copy), against which new rows find their neighbours.</summary>
    public Matrix TrainingData { get; }

    /// <summary>Embedding of the training rows, one row each, <see cref="OutputDimension"/> columns.</summary>
    public Matrix Embedding { get; }

    /// <summary>Curve parameter a of the embedded similarity 1 / (1 + a·d^(2b)).</summary>
    public double A { get; }

    /// <summary>Curve parameter b of the embedded similarity 1 / (1 + a·d^(2b)).</summary>
    public double B { get; }

    /// <summary>Mean training neighbour distance: the floor of the local scale σ for rows whose neighbours all coincide with them.</summary>
    public double MeanDistance { get; }

    /// <summary>Neighbourhood size used (the point itself counted), at most the number of training rows.</summary>
    public int Neighbors { get; }

    /// <summary>Epochs used to place each new row.</summary>
    public int TransformEpochs { get; }

    /// <summary>The fit's learning rate; new rows are placed at a quarter of it.</summary>
    public double LearningRate { get; }

    /// <summary>Negative samples per positive sample.</summary>
    public int NegativeSampleRate { get; }

    /// <summary>Weight of the repulsive term.</summary>
    public double RepulsionStrength { get; }

    /// <summary>Seed of the fit; each new row's sampling derives from it and the row's contents.</summary>
    public ulong Seed { get; }

    /// <inheritdoc />
    public int InputDimension => TrainingData.Cols;

    /// <inheritdoc />
    public int OutputDimension => Embedding.Cols;

    /// <inheritdoc />
    public void Save(Stream stream)
    {
        using var writer = new ModelWriter(stream, Kind, FormatVersion);
        writer.Write(TrainingData.Rows);
        writer.Write(InputDimension);
        writer.Write(OutputDimension);
        writer.Write(Neighbors);
        writer.Write(TransformEpochs);
        writer.Write(NegativeSampleRate);
        writer.Write(A);
        writer.Write(B);
        writer.Write(MeanDistance);
        writer.Write(LearningRate);
        writer.Write(RepulsionStrength);
        writer.Write((long)Seed);
        writer.Write(TrainingData.Data);
        writer.Write(Embedding.Data);
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="ModelFormatException">Corrupted or foreign data.</exception>
    public static UmapModel Load(Stream stream)
    {
        using var reader = new ModelReader(stream, Kind, FormatVersion);
        var n = reader.ReadInt32();
        var d = reader.ReadInt32();
        var c = reader.ReadInt32();
        var neighbors = reader.ReadInt32();
        var transformEpochs = reader.ReadInt32();
        var negativeSampleRate = reader.ReadInt32();
        ModelReader.Require(n >= 2 && d > 0 && c > 0, $"{n} training rows of dimension {d} embedded in {c}");
        ModelReader.Require(neighbors >= 2 && neighbors <= n && transformEpochs > 0 && negativeSampleRate > 0,
            $"neighbours {neighbors}, transform epochs {transformEpochs}, negative sample rate {negativeSampleRate}");
        var a = reader.ReadDouble();
        var b = reader.ReadDouble();
        var meanDistance = reader.ReadDouble();
        var learningRate = reader.ReadDouble();
        var repulsion = reader.ReadDouble();
        ModelReader.Require(a > 0 && b > 0 && meanDistance >= 0 && learningRate > 0 && repulsion >= 0,
            $"a {a}, b {b}, mean distance {meanDistance}, learning rate {learningRate}, repulsion {repulsion}");
        var seed = (ulong)reader.ReadInt64();
        var training = reader.ReadSingles(checked(n * d));
        var embedding = reader.ReadSingles(checked(n * c));
        return new UmapModel(new Matrix(n, d, training), new Matrix(n, c, embedding), a, b, meanDistance,
            new Settings(neighbors, transformEpochs, learningRate, negativeSampleRate, repulsion, seed));
    }

    /// <summary>The fit's settings that a transform reuses.</summary>
    internal sealed record Settings(int Neighbors, int TransformEpochs, double LearningRate, int NegativeSampleRate, double RepulsionStrength, ulong Seed);
}
