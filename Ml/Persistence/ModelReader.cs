using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Text;

namespace Distributed.Ml.Persistence;

/// <summary>Reads the format written by <see cref="ModelWriter"/>, refusing other kinds and newer versions.</summary>
public sealed class ModelReader : IDisposable
{
    private readonly BinaryReader _reader;

    /// <summary>Opens a model, checking magic, kind and version.</summary>
    /// <exception cref="ModelFormatException">Bad magic, another kind, or a version newer than <paramref name="maxVersion"/>.</exception>
    public ModelReader(Stream stream, string expectedKind, int maxVersion)
    {
        _reader = new BinaryReader(stream, Encoding.UTF8, leaveOpen: true);
        Guard(() =>
        {
            var magic = _reader.ReadBytes(ModelWriter.Magic.Length);
            if (!magic.AsSpan().SequenceEqual(ModelWriter.Magic))
            {
                throw new ModelFormatException("not a model file (bad magic)");
            }
            var kind = _reader.ReadString();
            if (kind != expectedKind)
            {
                throw new ModelFormatException($"expected a '{expectedKind}' model, found '{kind}'");
            }
            Version = _reader.ReadInt32();
            if (Version < 1 || Version > maxVersion)
            {
                throw new ModelFormatException($"'{kind}' model format version {Version} is not supported (this build reads up to {maxVersion})");
            }
            return 0;
        });
    }

    /// <summary>Format version found in the file.</summary>
    public int Version { get; private set; }

    /// <summary>Reads a 32-bit integer.</summary>
    public int ReadInt32() => Guard(_reader.ReadInt32);

    /// <summary>Reads a 64-bit integer.</summary>
    public long ReadInt64() => Guard(_reader.ReadInt64);

    /// <summary>Reads a double.</summary>
    public double ReadDouble() => Guard(_reader.ReadDouble);

    /// <summary>Reads a string.</summary>
    public string ReadString() => Guard(_reader.ReadString);

    /// <summary>Reads a float array, optionally checking its length.</summary>
    public float[] ReadSingles(int? expectedLength = null) => ReadArray<float>(expectedLength);

    /// <summary>Reads a double array, optionally checking its length.</summary>
    public double[] ReadDoubles(int? expectedLength = null) => ReadArray<double>(expectedLength);

    /// <summary>Reads an int array, optionally checking its length.</summary>
    public int[] ReadInt32s(int? expectedLength = null) => ReadArray<int>(expectedLength);

    /// <summary>Fails unless a condition on the decoded fields holds.</summary>
    public static void Require(bool condition, string problem)
    {
        if (!condition)
        {
            throw new ModelFormatException($"inconsistent model: {problem}");
        }
    }

    /// <inheritdoc />
    public void Dispose() => _reader.Dispose();

    private T[] ReadArray<T>(int? expectedLength)
        where T : unmanaged
    {
        return Guard(() =>
        {
            var length = _reader.ReadInt32();
            if (length < 0 || (expectedLength is { } expected && length != expected))
            {
                throw new ModelFormatException($"array length {length} where {expectedLength?.ToString() ?? "a non-negative length"} was expected");
            }
            var stream = _reader.BaseStream;
            if (stream.CanSeek && (long)length * Unsafe.SizeOf<T>() > stream.Length - stream.Position)
            {
                // Refused before allocating what a damaged length claims.
                throw new ModelFormatException($"truncated model data: an array of {length} values runs past the end of the file");
            }
            var result = new T[length];
            var bytes = MemoryMarshal.AsBytes(result.AsSpan());
            if (_reader.BaseStream.ReadAtLeast(bytes, bytes.Length, throwOnEndOfStream: false) < bytes.Length)
            {
                throw new ModelFormatException("truncated model data");
            }
            return result;
        });
    }

    private static T Guard<T>(Func<T> read)
    {
        try
        {
            return read();
        }
        catch (EndOfStreamException e)
        {
            throw new ModelFormatException("truncated model data", e);
        }
    }
}
