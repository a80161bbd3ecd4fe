namespace Distributed.Ml.Numerics;

/// <summary>
/// A dense row-major matrix of 32-bit floats: one contiguous buffer, rows of <see cref="Cols"/> values.
/// </summary>
/// <remarks>The buffer is exposed on purpose: hot loops work on spans of it directly.</remarks>
public sealed class Matrix : IRowSource
{
    /// <summary>Wraps an existing row-major buffer (not copied).</summary>
    public Matrix(int rows, int cols, float[] data)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(rows);
        ArgumentOutOfRangeException.ThrowIfNegative(cols);
        ArgumentNullException.ThrowIfNull(data);
        if ((long)rows * cols != data.Length)
        {
            throw new ArgumentException($"A {rows}×{cols} matrix needs {(long)rows * cols} values, got {data.Length}.", nameof(data));
        }
        Rows = rows;
        Cols = cols;
        Data = data;
    }

    /// <summary>A zero-filled matrix.</summary>
    public Matrix(int rows, int cols)
        : this(rows, cols, new float[checked(rows * cols)])
    {
    }

    /// <summary>Number of rows (samples).</summary>
    public int Rows { get; }

    /// <summary>Number of columns (features).</summary>
    public int Cols { get; }

    /// <summary>The row-major values.</summary>
    public float[] Data { get; }

    /// <summary>Row <paramref name="i"/> as a span over the buffer.</summary>
    public Span<float> Row(int i) => Data.AsSpan(i * Cols, Cols);

    /// <summary>Rows [start, start+count) as one span.</summary>
    public Span<float> RowBlock(int start, int count) => Data.AsSpan(start * Cols, count * Cols);

    /// <inheritdoc/>
    /// <remarks>Each block is a span over the buffer, nothing copied.</remarks>
    public void ForEachBlock(int blockRows, RowBlockVisitor visit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockRows, 1);
        ArgumentNullException.ThrowIfNull(visit);
        for (var start = 0; start < Rows; start += blockRows)
        {
            var count = Math.Min(blockRows, Rows - start);
            visit(RowBlock(start, count), start, count);
        }
    }

    /// <inheritdoc/>
    /// <remarks>This matrix itself.</remarks>
    public Matrix ToMatrix() => this;

    /// <summary>Copies the listed rows into a new matrix, in the given order.</summary>
    public Matrix SelectRows(ReadOnlySpan<int> rowIndices)
    {
        var result = new Matrix(rowIndices.Length, Cols);
        for (var r = 0; r < rowIndices.Length; r++)
        {
            Row(rowIndices[r]).CopyTo(result.Row(r));
        }
        return result;
    }
}
