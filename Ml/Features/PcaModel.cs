using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;

namespace Distributed.Ml.Features;

/// <summary>A fitted PCA: the mean and the leading principal axes.</summary>
public sealed class PcaModel : IFittedTransform
{
    /// <summary>Kind tag in the serialised form.</summary>
    public const string Kind = "pca";
    private const int FormatVersion = 1;

    /// <summary>−(mean · componentsᵀ): centring folded into the projection as its bias, (x − mean)·Wᵀ = x·Wᵀ − mean·Wᵀ.</summary>
    private readonly float[] _negatedProjectedMean;

    /// <summary>Per-component factor: 1/√variance when whitening, otherwise 1.</summary>
    private readonly float[] _scale;

    /// <summary>Rows projected per task when a transform is shared out to threads.</summary>
    private const int RowsPerTask = 256;

    internal PcaModel(float[] mean, float[] components, int componentCount, double[] explainedVariance, double[] explainedVarianceRatio, bool whiten)
    {
        Mean = mean;
        Components = components;
        ComponentCount = componentCount;
        ExplainedVariance = explainedVariance;
        ExplainedVarianceRatio = explainedVarianceRatio;
        Whiten = whiten;
        var projectedMean = new float[componentCount];
        Gemm.MultiplyTransposed(mean, 1, components, componentCount, mean.Length, projectedMean);
        _negatedProjectedMean = [.. projectedMean.Select(v => -v)];
        _scale = [.. Enumerable.Range(0, componentCount).Select(c => whiten && explainedVariance[c] > 0 ? (float)(1.0 / Math.Sqrt(explainedVariance[c])) : 1f)];
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
        // Each row's projection alone: InferenceGemm's dot products do not depend on the rows computed
        // with them (a BLAS product's do, through its blocking and threads), so an image projects to
        // the same bits alone (a served request), in a block of a shard, or with the whole data set.
        var result = new Matrix(rows.Rows, ComponentCount);
        var blocks = (rows.Rows + RowsPerTask - 1) / RowsPerTask;
        if (blocks <= 1)
        {
            ProjectRows(rows, 0, rows.Rows, result);
        }
        else
        {
            Parallel.For(0, blocks, b => ProjectRows(rows, b * RowsPerTask, Math.Min(RowsPerTask, rows.Rows - b * RowsPerTask), result));
        }
        return result;
    }

    private void ProjectRows(Matrix rows, int first, int count, Matrix result)
    {
        var projected = result.RowBlock(first, count);
        InferenceGemm.MultiplyTransposedAddBias(rows.RowBlock(first, count), count, InputDimension, Components, ComponentCount, _negatedProjectedMean, projected);
        if (Whiten)
        {
            for (var i = 0; i < count; i++)
            {
                var row = projected.Slice(i * ComponentCount, ComponentCount);
                System.Numerics.Tensors.TensorPrimitives.Multiply(row, _scale, row);
            }
        }
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
