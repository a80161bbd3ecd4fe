using Distributed.Ml.Numerics;
using Microsoft.ML;
using Microsoft.ML.Data;

namespace Distributed.Bench.MlNet;

/// <summary>
/// The prepared inputs as ML.NET data views, and the settings every peer shares: one
/// <see cref="MLContext"/> seeded from the shared seed, and the thread count ours runs with.
/// </summary>
internal static class MlNetInputs
{
    public const string Features = nameof(FeatureRow.Features);
    public const string Label = nameof(FeatureRow.Label);
    public const string PredictedLabel = nameof(KeyPrediction.PredictedLabel);

    /// <summary>What ours uses (<c>DOTNET_PROCESSOR_COUNT</c>, 2 in <c>bench/run</c>); given to every trainer that takes a thread count.</summary>
    public static int Threads => Environment.ProcessorCount;

    /// <summary>The shared seed as ML.NET's <see cref="int"/> seed (42 by default, unchanged).</summary>
    public static int Seed(BenchData data) => (int)(data.Seed % int.MaxValue);

    public static MLContext Context(BenchData data) => new(Seed(data));

    /// <summary>The schema of <see cref="FeatureRow"/> with the feature vector's size fixed (PCA and the trainers need a known size).</summary>
    public static SchemaDefinition Schema(int columns)
    {
        var schema = SchemaDefinition.Create(typeof(FeatureRow));
        schema[Features].ColumnType = new VectorDataViewType(NumberDataViewType.Single, columns);
        return schema;
    }

    public static FeatureRow[] Rows(Matrix matrix, int[]? labels = null)
    {
        var rows = new FeatureRow[matrix.Rows];
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i] = new FeatureRow { Features = matrix.Row(i).ToArray(), Label = labels?[i] ?? 0 };
        }
        return rows;
    }

    /// <summary>The rows as an in-memory data view (read lazily, as ML.NET reads a <c>LoadFromEnumerable</c> source).</summary>
    public static IDataView View(MLContext context, Matrix matrix, int[]? labels = null) =>
        context.Data.LoadFromEnumerable(Rows(matrix, labels), Schema(matrix.Cols));

    /// <summary>
    /// <paramref name="view"/> behind ML.NET's cache, filled now (untimed). ML.NET's guidance for
    /// trainers that pass over the data many times (k-means, PCA, one-vs-all's ten forests); ours and
    /// scikit-learn likewise start from arrays already in memory.
    /// </summary>
    public static IDataView Cached(MLContext context, IDataView view)
    {
        var cached = context.Data.Cache(view);
        using var cursor = cached.GetRowCursor(cached.Schema);
        while (cursor.MoveNext())
        {
        }
        return cached;
    }

    /// <summary>Labelled rows with <see cref="Label"/> as a key column (what ML.NET's multiclass trainers need), cached.</summary>
    public static IDataView Labelled(MLContext context, Matrix matrix, int[] labels)
    {
        var view = View(context, matrix, labels);
        var keyed = context.Transforms.Conversion.MapValueToKey(Label, keyOrdinality: Microsoft.ML.Transforms.ValueToKeyMappingEstimator.KeyOrdinality.ByValue)
            .Fit(view).Transform(view);
        return Cached(context, keyed);
    }

    /// <summary>The label values behind the keys of <paramref name="labelled"/>'s <see cref="Label"/> column (key k is <c>values[k − 1]</c>).</summary>
    public static int[] KeyValues(IDataView labelled)
    {
        VBuffer<int> values = default;
        labelled.Schema[Label].GetKeyValues(ref values);
        return values.DenseValues().ToArray();
    }

    /// <summary>
    /// A multiclass model's predicted label values for <paramref name="rows"/> (batch: one transform,
    /// the predicted key column read through, keys mapped back to values; a missing key becomes −1).
    /// </summary>
    public static int[] PredictLabels(ITransformer model, IDataView rows, int[] keyValues) =>
        Array.ConvertAll(model.Transform(rows).GetColumn<uint>(PredictedLabel).ToArray(), key => key == 0 ? -1 : keyValues[key - 1]);

    /// <summary>A vector column as a row-major matrix.</summary>
    public static Matrix ReadMatrix(IDataView view, string column, int columns)
    {
        var rows = view.GetColumn<float[]>(column).ToArray();
        var matrix = new Matrix(rows.Length, columns);
        for (var i = 0; i < rows.Length; i++)
        {
            rows[i].CopyTo(matrix.Row(i));
        }
        return matrix;
    }
}
