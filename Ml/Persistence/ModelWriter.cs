using System.Runtime.InteropServices;
using System.Text;

namespace Distributed.Ml.Persistence;

/// <summary>
/// Writes the binary model format shared by every fitted model (documented in docs/bundle-format.md):
/// the 4-byte magic <c>DMLM</c>, the model kind (length-prefixed UTF-8), a 32-bit format version,
/// then the model's fields: little-endian scalars and arrays as a 32-bit length followed by the elements.
/// </summary>
public sealed class ModelWriter : IDisposable
{
    internal static readonly byte[] Magic = "DMLM"u8.ToArray();
    private readonly BinaryWriter _writer;

    /// <summary>Starts a model of the given kind and version on the stream (left open).</summary>
    public ModelWriter(Stream stream, string kind, int version)
    {
        _writer = new BinaryWriter(stream, Encoding.UTF8, leaveOpen: true);
        _writer.Write(Magic);
        _writer.Write(kind);
        _writer.Write(version);
    }

    /// <summary>Writes a 32-bit integer.</summary>
    public void Write(int value) => _writer.Write(value);

    /// <summary>Writes a 64-bit integer.</summary>
    public void Write(long value) => _writer.Write(value);

    /// <summary>Writes a double.</summary>
    public void Write(double value) => _writer.Write(value);

    /// <summary>Writes a string.</summary>
    public void Write(string value) => _writer.Write(value);

    /// <summary>Writes a float array.</summary>
    public void Write(ReadOnlySpan<float> values)
    {
        _writer.Write(values.Length);
        _writer.Write(MemoryMarshal.AsBytes(values));
    }

    /// <summary>Writes a double array.</summary>
    public void Write(ReadOnlySpan<double> values)
    {
        _writer.Write(values.Length);
        _writer.Write(MemoryMarshal.AsBytes(values));
    }

    /// <summary>Writes an int array.</summary>
    public void Write(ReadOnlySpan<int> values)
    {
        _writer.Write(values.Length);
        _writer.Write(MemoryMarshal.AsBytes(values));
    }

    /// <inheritdoc />
    public void Dispose() => _writer.Dispose();
}
