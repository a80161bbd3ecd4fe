using System.Buffers.Binary;
using System.Runtime.InteropServices;

namespace Distributed.Ml.Data;

/// <summary>
/// An n-dimensional numeric array as read from a file: element type, C-order shape and the raw
/// little-endian bytes. Conversions to the types the algorithms use are explicit.
/// </summary>
/// <param name="DType">Element type of <paramref name="Bytes"/>.</param>
/// <param name="Shape">Dimensions, outermost first.</param>
/// <param name="Bytes">Little-endian element data, C order.</param>
public sealed record NumericArray(NpyDType DType, long[] Shape, byte[] Bytes)
{
    /// <summary>Number of elements.</summary>
    public long Length => Bytes.LongLength / DType.Size();

    /// <summary>The shape as numpy prints it.</summary>
    public string ShapeText => NpyHeader.FormatShape(Shape);

    /// <summary>Wraps floats (copied into a byte buffer).</summary>
    public static NumericArray FromSingle(ReadOnlySpan<float> values, params long[] shape) =>
        new(NpyDType.Float32, shape, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>Wraps 32-bit integers.</summary>
    public static NumericArray FromInt32(ReadOnlySpan<int> values, params long[] shape) =>
        new(NpyDType.Int32, shape, MemoryMarshal.AsBytes(values).ToArray());

    /// <summary>Wraps bytes.</summary>
    public static NumericArray FromUInt8(ReadOnlySpan<byte> values, params long[] shape) =>
        new(NpyDType.UInt8, shape, values.ToArray());

    /// <summary>Element <paramref name="index"/> as a double, whatever the type.</summary>
    public double GetDouble(long index)
    {
        var span = Bytes.AsSpan();
        return DType switch
        {
            NpyDType.UInt8 => span[(int)index],
            NpyDType.Int8 => (sbyte)span[(int)index],
            NpyDType.UInt16 => BinaryPrimitives.ReadUInt16LittleEndian(span[(int)(index * 2)..]),
            NpyDType.Int16 => BinaryPrimitives.ReadInt16LittleEndian(span[(int)(index * 2)..]),
            NpyDType.Int32 => BinaryPrimitives.ReadInt32LittleEndian(span[(int)(index * 4)..]),
            NpyDType.Int64 => BinaryPrimitives.ReadInt64LittleEndian(span[(int)(index * 8)..]),
            NpyDType.Float32 => BinaryPrimitives.ReadSingleLittleEndian(span[(int)(index * 4)..]),
            NpyDType.Float64 => BinaryPrimitives.ReadDoubleLittleEndian(span[(int)(index * 8)..]),
            _ => throw new InvalidOperationException($"Unknown dtype {DType}."),
        };
    }

    /// <summary>All elements converted to float (no scaling).</summary>
    public float[] ToSingle()
    {
        var result = new float[Length];
        var span = Bytes.AsSpan();
        switch (DType)
        {
            case NpyDType.Float32:
                MemoryMarshal.Cast<byte, float>(span).CopyTo(result);
                break;
            case NpyDType.UInt8:
                PixelBytes.Widen(span, result);
                break;
            default:
                for (var i = 0; i < result.Length; i++)
                {
                    result[i] = (float)GetDouble(i);
                }
                break;
        }
        return result;
    }

    /// <summary>All elements as 32-bit integers; fails on non-integral or out-of-range values.</summary>
    /// <exception cref="DataFormatException">A value is not an integer that fits in 32 bits.</exception>
    public int[] ToInt32()
    {
        var result = new int[Length];
        for (var i = 0; i < result.Length; i++)
        {
            var value = GetDouble(i);
            if (double.IsNaN(value) || value != Math.Floor(value) || value < int.MinValue || value > int.MaxValue)
            {
                throw new DataFormatException($"element {i} is {value}, not an integer label");
            }
            result[i] = (int)value;
        }
        return result;
    }
}
