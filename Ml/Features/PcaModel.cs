using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Features;

/// <summary>A fitted PCA: the mean and the leading principal axes.</summary>
public sealed class PcaModel : IFittedTransform
{
    /// <summary>Kind tag in the serialised form.</summary>
    public const string Kind = "pca";
    private const int FormatVersion = 1;

    private readonly float[] _projectedMean;

    internal PcaModel(float[] mean, float[] components, int componentCount, double[] explainedVariance, double[] explainedVarianceRatio, bool whiten)
    {
        Mean = mean;
        Components = components;
        ComponentCount = componentCount;
        ExplainedVariance = explainedVariance;
        ExplainedVarianceRatio = explainedVarianceRatio;
        Whiten = whiten;
        _projectedMean = new float[componentCount];
        Gemm.MultiplyTransposed(mean, 1, components, componentCount, mean.Length, _projectedMean);
    }

    /// <summary>Per-feature mean of the training data.</summary>
    public float[] Mean { get; }

    /// <summary>Principal axes, row-major <see cref="ComponentCount"/>×<see cref="InputDimension"/>, by decreasing variance.</summary>
    public float[] Components { get; }

    /// <summary>Number of components kept.</summary>
    public int ComponentCount { get; }

    /// <summary>Variance along each component.</summary>
    public double[] ExplainedVariance { get; }

    /// <summary>Share of the total variance along each component.</summary>
    public double[] ExplainedVarianceRatio { get; }

    /// <summary>Whether outputs are scaled to unit variance.</summary>
    public bool Whiten { get; }

    /// <inheritdoc />
    public int InputDimension => Mean.Length;

    /// <inheritdoc />
    public int OutputDimension => ComponentCount;

    /// <inheritdoc />
    public Matrix Transform(Matrix rows)
    {
        ArgumentNullException.ThrowIfNull(rows);
        if (rows.Cols != InputDimension)
        {
            throw new ArgumentException($"PCA expects {InputDimension} columns, got {rows.Cols}.", nameof(rows));
        }
        var result = new Matrix(rows.Rows, ComponentCount);
        Gemm.MultiplyTransposed(rows.Data, rows.Rows, Components, ComponentCount, InputDimension, result.Data);
        var scale = new float[ComponentCount];
        for (var c = 0; c < ComponentCount; c++)
        {
            scale[c] = Whiten && ExplainedVariance[c] > 0 ? (float)(1.0 / Math.Sqrt(ExplainedVariance[c])) : 1f;
        }
        for (var i = 0; i < rows.Rows; i++)
        {
            var row = result.Row(i);
            System.Numerics.Tensors.TensorPrimitives.Subtract(row, _projectedMean, row);
            if (Whiten)
            {
                System.Numerics.Tensors.TensorPrimitives.Multiply(row, scale, row);
            }
        }
        return result;
    }

    /// <inheritdoc />
    public void Save(Stream stream)
    {
        using var writer = new ModelWriter(stream, Kind, FormatVersion);
        writer.Write(InputDimension);
        writer.Write(ComponentCount);
        writer.Write(Whiten ? 1 : 0);
        writer.Write(Mean);
        writer.Write(Components);
        writer.Write(ExplainedVariance);
        writer.Write(ExplainedVarianceRatio);
    }

    /// <summary>Reads a model written by <see cref="Save"/>.</summary>
    /// <exception cref="ModelFormatException">Corrupted or foreign data.</exception>
    public static PcaModel Load(Stream stream)
    {
        using var reader = new ModelReader(stream, Kind, FormatVersion);
        var d = reader.ReadInt32();
        var k = reader.ReadInt32();
        ModelReader.Require(d > 0 && k > 0 && k <= d, $"{k} components of dimension {d}");
        var whiten = reader.ReadInt32() != 0;
        var mean = reader.ReadSingles(d);
        var components = reader.ReadSingles(checked(k * d));
        var explained = reader.ReadDoubles(k);
        var ratio = reader.ReadDoubles(k);
        return new PcaModel(mean, components, k, explained, ratio, whiten);
    }
}
