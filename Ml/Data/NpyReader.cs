namespace Distributed.Ml.Data;

/// <summary>Reads <c>.npy</c> arrays, whole or a range of rows, checking the data against the header.</summary>
public static class NpyReader
{
    /// <summary>Reads a whole array. The stream need not be seekable (e.g. a gzip stream).</summary>
    /// <exception cref="DataFormatException">Bad header, truncated data, or bytes beyond what the shape calls for.</exception>
    public static NumericArray Read(Stream stream)
    {
        var header = NpyHeader.Read(stream);
        var expected = header.DataBytes;
        if (stream.CanSeek)
        {
            var available = stream.Length - stream.Position;
            CheckSize(header, expected, available);
        }
        if (expected > Array.MaxLength)
        {
            throw new DataFormatException($"array {header.ShapeText} is too large to load at once ({expected} bytes); read it in shards");
        }
        var bytes = new byte[expected];
        var read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (read < bytes.Length)
        {
            throw Truncated(header, expected, read);
        }
        if (!stream.CanSeek && stream.ReadByte() >= 0)
        {
            throw new DataFormatException($"header shape {header.ShapeText} disagrees with the file size: data continues past {expected} bytes");
        }
        return new NumericArray(header.DType, header.Shape, bytes);
    }

    /// <summary>
    /// Reads rows [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="rowCount"/>)
    /// of an array whose first dimension counts rows, without reading the rest of the file.
    /// </summary>
    /// <exception cref="DataFormatException">Bad header, or file size that disagrees with the header.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range lies outside the array.</exception>
    public static NumericArray ReadRows(Stream stream, long firstRow, int rowCount)
    {
        if (!stream.CanSeek)
        {
            throw new ArgumentException("Reading a range of rows needs a seekable stream.", nameof(stream));
        }
        var header = NpyHeader.Read(stream);
        if (header.Shape.Length == 0)
        {
            throw new DataFormatException("a scalar .npy has no rows");
        }
        CheckSize(header, header.DataBytes, stream.Length - header.DataOffset);
        var totalRows = header.Shape[0];
        ArgumentOutOfRangeException.ThrowIfNegative(firstRow);
        ArgumentOutOfRangeException.ThrowIfNegative(rowCount);
        if (firstRow + rowCount > totalRows)
        {
            throw new ArgumentOutOfRangeException(nameof(rowCount), $"Rows {firstRow}..{firstRow + rowCount} lie outside the array's {totalRows} rows.");
        }
        var rowBytes = header.RowElements * header.DType.Size();
        stream.Seek(header.DataOffset + firstRow * rowBytes, SeekOrigin.Begin);
        var bytes = new byte[ShapeArithmetic.Multiply(rowBytes, rowCount)];
        stream.ReadExactly(bytes);
        var shape = (long[])header.Shape.Clone();
        shape[0] = rowCount;
        return new NumericArray(header.DType, shape, bytes);
    }

    private static void CheckSize(NpyHeader header, long expected, long available)
    {
        if (available < expected)
        {
            throw Truncated(header, expected, available);
        }
        if (available > expected)
        {
            throw new DataFormatException(
                $"header shape {header.ShapeText} {header.DType.Descr()} disagrees with the file size: it needs {expected} bytes of data but the file has {available}");
        }
    }

    private static DataFormatException Truncated(NpyHeader header, long expected, long available) =>
        new($"truncated data: header shape {header.ShapeText} {header.DType.Descr()} needs {expected} bytes but only {available} follow the header");
}
