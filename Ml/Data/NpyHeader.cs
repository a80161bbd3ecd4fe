using System.Buffers.Binary;
using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace Distributed.Ml.Data;

/// <summary>
/// The header of a <c>.npy</c> file (format versions 1.0–3.0): element type, C-order shape and
/// where the data starts.
/// </summary>
/// <param name="DType">Element type.</param>
/// <param name="Shape">Dimensions, outermost first.</param>
/// <param name="DataOffset">Byte offset of the first element from the start of the file.</param>
public sealed partial record NpyHeader(NpyDType DType, long[] Shape, long DataOffset)
{
    private static readonly byte[] s_magic = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y'];

    // numpy pads the header so that the data starts on a 64-byte boundary.
    private const int HeaderAlignment = 64;

    /// <summary>Number of elements (product of the shape; 1 for a scalar).</summary>
    public long ElementCount
    {
        get
        {
            long count = 1;
            foreach (var dim in Shape)
            {
                count = ShapeArithmetic.Multiply(count, dim);
            }
            return count;
        }
    }

    /// <summary>Bytes of data the shape and type call for.</summary>
    public long DataBytes => ShapeArithmetic.Multiply(ElementCount, DType.Size());

    /// <summary>Elements in one row: the product of all dimensions but the first.</summary>
    public long RowElements
    {
        get
        {
            long count = 1;
            for (var i = 1; i < Shape.Length; i++)
            {
                count = ShapeArithmetic.Multiply(count, Shape[i]);
            }
            return count;
        }
    }

    /// <summary>The shape as numpy prints it, e.g. <c>(60000, 1, 28, 28)</c>.</summary>
    public string ShapeText => FormatShape(Shape);

    /// <summary>Formats a shape as a Python tuple.</summary>
    public static string FormatShape(IReadOnlyList<long> shape) => shape.Count switch
    {
        0 => "()",
        1 => $"({shape[0]},)",
        _ => "(" + string.Join(", ", shape) + ")",
    };

    /// <summary>Reads and validates a header, leaving the stream at the first data byte.</summary>
    /// <exception cref="DataFormatException">Bad magic, unsupported version or type, Fortran order, malformed dictionary.</exception>
    public static NpyHeader Read(Stream stream)
    {
        Span<byte> prefix = stackalloc byte[8];
        if (!TryReadExactly(stream, prefix))
        {
            throw new DataFormatException("not a .npy file: shorter than the 8-byte .npy preamble");
        }
        if (!prefix[..6].SequenceEqual(s_magic))
        {
            throw new DataFormatException("not a .npy file: bad magic (expected \\x93NUMPY)");
        }
        var major = prefix[6];
        int headerLength;
        long preambleLength;
        if (major == 1)
        {
            Span<byte> length = stackalloc byte[2];
            if (!TryReadExactly(stream, length))
            {
                throw new DataFormatException("truncated .npy header");
            }
            headerLength = BinaryPrimitives.ReadUInt16LittleEndian(length);
            preambleLength = 10;
        }
        else if (major is 2 or 3)
        {
            Span<byte> length = stackalloc byte[4];
            if (!TryReadExactly(stream, length))
            {
                throw new DataFormatException("truncated .npy header");
            }
            var value = BinaryPrimitives.ReadUInt32LittleEndian(length);
            if (value > 1 << 20)
            {
                throw new DataFormatException($"implausible .npy header length {value}");
            }
            headerLength = (int)value;
            preambleLength = 12;
        }
        else
        {
            throw new DataFormatException($"unsupported .npy format version {major}.{prefix[7]}");
        }

        var headerBytes = new byte[headerLength];
        if (!TryReadExactly(stream, headerBytes))
        {
            throw new DataFormatException("truncated .npy header");
        }
        var text = (major == 3 ? Encoding.UTF8 : Encoding.Latin1).GetString(headerBytes);
        return Parse(text, preambleLength + headerLength);
    }

    /// <summary>Writes a version 1.0 header for a C-order array of the given type and shape.</summary>
    public static void Write(Stream stream, NpyDType dtype, IReadOnlyList<long> shape)
    {
        var dict = $"{{'descr': '{dtype.Descr()}', 'fortran_order': False, 'shape': {FormatShape(shape)}, }}";
        const int preambleLength = 10;
        var unpadded = preambleLength + dict.Length + 1; // + newline
        var padding = (HeaderAlignment - unpadded % HeaderAlignment) % HeaderAlignment;
        var header = dict + new string(' ', padding) + "\n";
        if (header.Length > ushort.MaxValue)
        {
            throw new ArgumentException("Shape too long for a version 1.0 .npy header.", nameof(shape));
        }
        Span<byte> preamble = stackalloc byte[preambleLength];
        s_magic.CopyTo(preamble);
        preamble[6] = 1;
        preamble[7] = 0;
        BinaryPrimitives.WriteUInt16LittleEndian(preamble[8..], (ushort)header.Length);
        stream.Write(preamble);
        stream.Write(Encoding.Latin1.GetBytes(header));
    }

    private static NpyHeader Parse(string text, long dataOffset)
    {
        var descr = DescrPattern().Match(text);
        var fortran = FortranPattern().Match(text);
        var shape = ShapePattern().Match(text);
        if (!descr.Success || !fortran.Success || !shape.Success)
        {
            throw new DataFormatException($"malformed .npy header dictionary: {text.Trim()}");
        }
        if (fortran.Groups[1].Value == "True")
        {
            throw new DataFormatException("Fortran-order .npy arrays are not supported; save with numpy.ascontiguousarray first");
        }
        var descrText = descr.Groups[1].Value;
        var dtype = NpyDTypes.Parse(descrText)
            ?? throw new DataFormatException($"unsupported dtype '{descrText}' (supported: uint8, int8, int16, uint16, int32, int64, float32, float64, little-endian)");

        var dims = new List<long>();
        foreach (var part in shape.Groups[1].Value.Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
        {
            var digits = part.TrimEnd('L');
            if (!long.TryParse(digits, NumberStyles.None, CultureInfo.InvariantCulture, out var dim))
            {
                throw new DataFormatException($"malformed shape in .npy header: ({shape.Groups[1].Value})");
            }
            dims.Add(dim);
        }
        return new NpyHeader(dtype, [.. dims], dataOffset);
    }

    private static bool TryReadExactly(Stream stream, Span<byte> buffer)
    {
        var read = stream.ReadAtLeast(buffer, buffer.Length, throwOnEndOfStream: false);
        return read == buffer.Length;
    }

    [GeneratedRegex(@"['""]descr['""]\s*:\s*['""]([^'""]*)['""]")]
    private static partial Regex DescrPattern();

    [GeneratedRegex(@"['""]fortran_order['""]\s*:\s*(True|False)")]
    private static partial Regex FortranPattern();

    [GeneratedRegex(@"['""]shape['""]\s*:\s*\(([^)]*)\)")]
    private static partial Regex ShapePattern();
}
