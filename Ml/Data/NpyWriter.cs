using System.Runtime.InteropServices;

namespace Distributed.Ml.Data;

/// <summary>Writes C-order little-endian <c>.npy</c> files (format 1.0) that numpy loads as they are.</summary>
public static class NpyWriter
{
    /// <summary>Writes an array.</summary>
    public static void Write(Stream stream, NumericArray array)
    {
        if (array.Bytes.LongLength != ElementCount(array.Shape) * array.DType.Size())
        {
            throw new ArgumentException($"Array bytes do not match shape {array.ShapeText}.", nameof(array));
        }
        NpyHeader.Write(stream, array.DType, array.Shape);
        stream.Write(array.Bytes);
    }

    /// <summary>Writes float32 values with the given shape.</summary>
    public static void Write(Stream stream, ReadOnlySpan<float> values, params long[] shape) =>
        WriteRaw(stream, NpyDType.Float32, MemoryMarshal.AsBytes(values), shape);

    /// <summary>Writes int32 values with the given shape.</summary>
    public static void Write(Stream stream, ReadOnlySpan<int> values, params long[] shape) =>
        WriteRaw(stream, NpyDType.Int32, MemoryMarshal.AsBytes(values), shape);

    /// <summary>Writes uint8 values with the given shape.</summary>
    public static void Write(Stream stream, ReadOnlySpan<byte> values, params long[] shape) =>
        WriteRaw(stream, NpyDType.UInt8, values, shape);

    private static void WriteRaw(Stream stream, NpyDType dtype, ReadOnlySpan<byte> bytes, long[] shape)
    {
        if (bytes.Length != ElementCount(shape) * dtype.Size())
        {
            throw new ArgumentException($"{bytes.Length / dtype.Size()} values do not fill shape {NpyHeader.FormatShape(shape)}.", nameof(shape));
        }
        NpyHeader.Write(stream, dtype, shape);
        stream.Write(bytes);
    }

    private static long ElementCount(long[] shape)
    {
        long count = 1;
        foreach (var dim in shape)
        {
            count = checked(count * dim);
        }
        return count;
    }
}
