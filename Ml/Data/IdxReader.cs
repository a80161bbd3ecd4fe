using System.Buffers.Binary;

namespace Distributed.Ml.Data;

/// <summary>
/// Reads the IDX format of the MNIST distribution: a big-endian magic (two zero bytes, a type code,
/// the number of dimensions), big-endian 32-bit dimensions, then big-endian data.
/// </summary>
public static class IdxReader
{
    /// <summary>Reads an IDX array, converting its data to little-endian.</summary>
    /// <exception cref="DataFormatException">Bad magic, unsupported type code, truncated data or trailing bytes.</exception>
    public static NumericArray Read(Stream stream)
    {
        Span<byte> magic = stackalloc byte[4];
        if (stream.ReadAtLeast(magic, 4, throwOnEndOfStream: false) < 4 || magic[0] != 0 || magic[1] != 0)
        {
            throw new DataFormatException("not an IDX file: bad magic (expected 0x0000 followed by a type code and rank)");
        }
        var dtype = magic[2] switch
        {
            0x08 => NpyDType.UInt8,
            0x09 => NpyDType.Int8,
            0x0B => NpyDType.Int16,
            0x0C => NpyDType.Int32,
            0x0D => NpyDType.Float32,
            0x0E => NpyDType.Float64,
            var code => throw new DataFormatException($"unsupported IDX type code 0x{code:X2}"),
        };
        int rank = magic[3];
        if (rank is 0 or > 4)
        {
            throw new DataFormatException($"unsupported IDX rank {rank}");
        }
        var shape = new long[rank];
        Span<byte> dim = stackalloc byte[4];
        long count = 1;
        for (var i = 0; i < rank; i++)
        {
            if (stream.ReadAtLeast(dim, 4, throwOnEndOfStream: false) < 4)
            {
                throw new DataFormatException("truncated IDX header");
            }
            shape[i] = BinaryPrimitives.ReadUInt32BigEndian(dim);
            count = ShapeArithmetic.Multiply(count, shape[i]);
        }
        var size = dtype.Size();
        var expected = ShapeArithmetic.Multiply(count, size);
        if (expected > Array.MaxLength)
        {
            throw new DataFormatException($"IDX array {NpyHeader.FormatShape(shape)} is too large to load at once");
        }
        if (stream.CanSeek && expected > stream.Length - stream.Position)
        {
            // Refused before allocating what a damaged header claims.
            throw new DataFormatException($"truncated data: IDX shape {NpyHeader.FormatShape(shape)} needs {expected} bytes but only {stream.Length - stream.Position} follow the header");
        }
        var bytes = new byte[expected];
        var read = stream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false);
        if (read < expected)
        {
            throw new DataFormatException($"truncated data: IDX shape {NpyHeader.FormatShape(shape)} needs {expected} bytes but only {read} follow the header");
        }
        if (stream.ReadByte() >= 0)
        {
            throw new DataFormatException($"IDX shape {NpyHeader.FormatShape(shape)} disagrees with the file size: data continues past {expected} bytes");
        }
        if (size > 1)
        {
            for (var offset = 0; offset < bytes.Length; offset += size)
            {
                bytes.AsSpan(offset, size).Reverse();
            }
        }
        return new NumericArray(dtype, shape, bytes);
    }
}
