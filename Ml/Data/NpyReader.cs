using System.Runtime.InteropServices;

namespace Distributed.Ml.Data;

/// <summary>Reads <c>.npy</c> arrays, whole or a range of rows, checking the data against the header.</summary>
public static class NpyReader
{
    /// <summary>Reads a whole array. The stream need not be seekable (e.g. a gzip stream).</summary>
    /// <exception cref="DataFormatException">Bad header, truncated data, or bytes beyond what the shape calls for.</exception>
    public static NumericArray Read(Stream stream)
    {
        var header = ReadWholeHeader(stream);
        return ReadArray(stream, header);
    }

    /// <summary>
    /// Reads a whole array as floats. A float32 file goes straight into the result, without the
    /// byte buffer and copy of <see cref="Read"/>: the shard store reads every shard this way,
    /// several times per job. Other element types are converted as <see cref="NumericArray.ToSingle"/> does.
    /// </summary>
    /// <exception cref="DataFormatException">Bad header, truncated data, or bytes beyond what the shape calls for.</exception>
    public static (long[] Shape, float[] Values) ReadSingle(Stream stream)
    {
        var header = ReadWholeHeader(stream);
        if (header.DType != NpyDType.Float32)
        {
            return (header.Shape, ReadArray(stream, header).ToSingle());
        }
        var values = new float[header.ElementCount];
        ReadData(stream, header, MemoryMarshal.AsBytes(values.AsSpan()));
        return (header.Shape, values);
    }

    /// <summary>
    /// Reads a whole float32 array into <paramref name="destination"/>, which must hold exactly its
    /// elements (a block of a larger matrix: shards read into their rows of a concatenation).
    /// </summary>
    /// <returns>The array's shape.</returns>
    /// <exception cref="DataFormatException">Bad header, not float32, an element count other than the destination's, truncated data, or bytes beyond the shape.</exception>
    public static long[] ReadSingleInto(Stream stream, Span<float> destination)
    {
        var header = ReadWholeHeader(stream);
        if (header.DType != NpyDType.Float32)
        {
            throw new DataFormatException($"expected float32 data, got {header.DType.Descr()}");
        }
        if (header.ElementCount != destination.Length)
        {
            throw new DataFormatException($"header shape {header.ShapeText} holds {header.ElementCount} elements where {destination.Length} were expected");
        }
        ReadData(stream, header, MemoryMarshal.AsBytes(destination));
        return header.Shape;
    }

    /// <summary>Reads the header of an array to be read whole and checks the file's size against it where the stream can tell.</summary>
    private static NpyHeader ReadWholeHeader(Stream stream)
    {
        var header = NpyHeader.Read(stream);
        var expected = header.DataBytes;
        if (stream.CanSeek)
        {
            CheckSize(header, expected, stream.Length - stream.Position);
        }
        if (expected > Array.MaxLength)
        {
            throw new DataFormatException($"array {header.ShapeText} is too large to load at once ({expected} bytes); read it in shards");
        }
        return header;
    }

    /// <summary>The data the header announces, as raw bytes.</summary>
    private static NumericArray ReadArray(Stream stream, NpyHeader header)
    {
        var bytes = new byte[header.DataBytes];
        ReadData(stream, header, bytes);
        return new NumericArray(header.DType, header.Shape, bytes);
    }

    /// <summary>Fills <paramref name="data"/> (the header's data bytes) from the stream and checks that nothing follows.</summary>
    private static void ReadData(Stream stream, NpyHeader header, Span<byte> data)
    {
        var read = stream.ReadAtLeast(data, data.Length, throwOnEndOfStream: false);
        if (read < data.Length)
        {
            throw Truncated(header, data.Length, read);
        }
        if (!stream.CanSeek && stream.ReadByte() >= 0)
        {
            throw new DataFormatException($"header shape {header.ShapeText} disagrees with the file size: data continues past {data.Length} bytes");
        }
    }

    /// <summary>
    /// Reads the header of an array to be read by rows (a range, <see cref="ReadRows"/>, or block after
    /// block, <see cref="ReadNextRows"/>), and checks the file's size against it, so a truncated file
    /// fails before its first rows.
    /// </summary>
    /// <exception cref="DataFormatException">Bad header, a scalar, or a file size that disagrees with the header.</exception>
    /// <exception cref="ArgumentException">The stream cannot seek.</exception>
    public static NpyHeader ReadRowsHeader(Stream stream)
    {
        ArgumentNullException.ThrowIfNull(stream);
        if (!stream.CanSeek)
        {
            throw new ArgumentException("Reading an array by rows needs a seekable stream.", nameof(stream));
        }
        var header = NpyHeader.Read(stream);
        if (header.Shape.Length == 0)
        {
            throw new DataFormatException("a scalar .npy has no rows");
        }
        CheckSize(header, header.DataBytes, stream.Length - stream.Position);
        return header;
    }

    /// <summary>
    /// Reads the next whole rows' bytes of an array whose header <see cref="ReadRowsHeader"/> read:
    /// <paramref name="destination"/> holds a whole number of rows.
    /// </summary>
    /// <exception cref="ArgumentException"><paramref name="destination"/> is not a whole number of rows.</exception>
    /// <exception cref="DataFormatException">The data ends first.</exception>
    public static void ReadNextRows(Stream stream, NpyHeader header, Span<byte> destination)
    {
        ArgumentNullException.ThrowIfNull(stream);
        ArgumentNullException.ThrowIfNull(header);
        var rowBytes = header.RowElements * header.DType.Size();
        if (rowBytes == 0 || destination.Length % rowBytes != 0)
        {
            throw new ArgumentException($"{destination.Length} bytes are not whole rows of {rowBytes} bytes.", nameof(destination));
        }
        var read = stream.ReadAtLeast(destination, destination.Length, throwOnEndOfStream: false);
        if (read < destination.Length)
        {
            throw Truncated(header, destination.Length, read);
        }
    }

    /// <summary>
    /// Reads rows [<paramref name="firstRow"/>, <paramref name="firstRow"/> + <paramref name="rowCount"/>)
    /// of an array whose first dimension counts rows, without reading the rest of the file.
    /// </summary>
    /// <exception cref="DataFormatException">Bad header, a scalar, or a file size that disagrees with the header.</exception>
    /// <exception cref="ArgumentException">The stream cannot seek.</exception>
    /// <exception cref="ArgumentOutOfRangeException">The range lies outside the array.</exception>
    public static NumericArray ReadRows(Stream stream, long firstRow, int rowCount)
    {
        var header = ReadRowsHeader(stream);
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
