using System.Diagnostics;
using System.Text;
using Distributed.Ml.Data;

namespace Distributed.Ml.Tests.Data;

public class NpyTests
{
    [Fact]
    public void RoundTripsEveryTypeAndShape()
    {
        var values = new[] { 0f, 0.5f, 1f, 0.25f, 0.75f, 0.125f };
        var stream = new MemoryStream();
        NpyWriter.Write(stream, values, 2, 3);
        stream.Position = 0;
        var array = NpyReader.Read(stream);
        Assert.Equal(NpyDType.Float32, array.DType);
        Assert.Equal(new long[] { 2, 3 }, array.Shape);
        Assert.Equal(values, array.ToSingle());
    }

    /// <summary>Bytes widen to floats exactly, in the vectorised body and its tail alike.</summary>
    [Fact]
    public void ConvertsEveryByteValueToItsFloat()
    {
        var bytes = new byte[1000];
        for (var i = 0; i < bytes.Length; i++)
        {
            bytes[i] = (byte)(i * 7 + i / 256);
        }
        var converted = NumericArray.FromUInt8(bytes, bytes.Length).ToSingle();
        Assert.Equal(bytes.Select(b => (float)b), converted);
        Assert.Equal(Enumerable.Range(0, 256).Select(v => (float)v), NumericArray.FromUInt8([.. Enumerable.Range(0, 256).Select(v => (byte)v)], 256).ToSingle());
    }

    [Fact]
    public void ReadsFloatsStraightAndConvertsOtherTypes()
    {
        var values = new[] { 0f, 0.5f, 1f, 0.25f, 0.75f, 0.125f };
        var floats = new MemoryStream();
        NpyWriter.Write(floats, values, 3, 2);
        floats.Position = 0;
        var (shape, read) = NpyReader.ReadSingle(floats);
        Assert.Equal(new long[] { 3, 2 }, shape);
        Assert.Equal(values, read);

        var bytes = new MemoryStream();
        NpyWriter.Write(bytes, new byte[] { 0, 7, 255 }, 3);
        bytes.Position = 0;
        var (byteShape, converted) = NpyReader.ReadSingle(bytes);
        Assert.Equal(new long[] { 3 }, byteShape);
        Assert.Equal(new[] { 0f, 7f, 255f }, converted);
    }

    [Fact]
    public void ReadsFloatsIntoABlockOfALargerArray()
    {
        var stream = new MemoryStream();
        NpyWriter.Write(stream, new[] { 1f, 2f, 3f, 4f }, 2, 2);
        var destination = new float[8];
        stream.Position = 0;
        var shape = NpyReader.ReadSingleInto(stream, destination.AsSpan(2, 4));
        Assert.Equal(new long[] { 2, 2 }, shape);
        Assert.Equal(new[] { 0f, 0f, 1f, 2f, 3f, 4f, 0f, 0f }, destination);

        stream.Position = 0;
        var tooSmall = Assert.Throws<DataFormatException>(() => NpyReader.ReadSingleInto(stream, new float[3]));
        Assert.Contains("holds 4 elements where 3 were expected", tooSmall.Message);

        var bytes = new MemoryStream();
        NpyWriter.Write(bytes, new byte[] { 1, 2 }, 2);
        bytes.Position = 0;
        var notFloats = Assert.Throws<DataFormatException>(() => NpyReader.ReadSingleInto(bytes, new float[2]));
        Assert.Contains("expected float32 data, got |u1", notFloats.Message);
    }

    [Fact]
    public void HeaderIsPaddedToSixtyFourBytes()
    {
        var stream = new MemoryStream();
        NpyWriter.Write(stream, new byte[] { 1, 2, 3 }, 3);
        Assert.Equal(0, (stream.Length - 3) % 64);
    }

    [Fact]
    public void ReadsFilesWrittenByNumpy()
    {
        using (var file = File.OpenRead(TestData.Fixture("numpy_uint8_images.npy")))
        {
            var images = NpyReader.Read(file);
            Assert.Equal(NpyDType.UInt8, images.DType);
            Assert.Equal(new long[] { 3, 1, 28, 28 }, images.Shape);
            Assert.Equal(255, images.Bytes[255]);
        }
        using (var file = File.OpenRead(TestData.Fixture("numpy_float64_2d.npy")))
        {
            var floats = NpyReader.Read(file);
            Assert.Equal(NpyDType.Float64, floats.DType);
            Assert.Equal(new long[] { 2, 784 }, floats.Shape);
        }
        using (var file = File.OpenRead(TestData.Fixture("numpy_int64_labels.npy")))
        {
            Assert.Equal(new[] { 3, 1, 4 }, LabelDecoder.Decode(NpyReader.Read(file)));
        }
    }

    [Fact]
    public void NumpyReadsWhatWeWrite()
    {
        const string python = "/usr/bin/python3";
        Assert.True(File.Exists(python), "python3-numpy (Debian) is needed for this test: run scripts/setup.sh");
        var directory = Directory.CreateTempSubdirectory("npy-").FullName;
        try
        {
            var path = Path.Combine(directory, "ours.npy");
            using (var file = File.Create(path))
            {
                NpyWriter.Write(file, new[] { 1, -2, 3, 4, 5, 6 }, 2, 3);
            }
            var script = $"import numpy as np; a = np.load('{path}'); print(a.dtype, a.shape, int(a.sum()), int(a[0, 1]))";
            using var process = Process.Start(new ProcessStartInfo(python, ["-c", script]) { RedirectStandardOutput = true, RedirectStandardError = true })!;
            var output = process.StandardOutput.ReadToEnd().Trim();
            var error = process.StandardError.ReadToEnd();
            process.WaitForExit();
            Assert.True(process.ExitCode == 0, error);
            Assert.Equal("int32 (2, 3) 17 -2", output);
        }
        finally
        {
            Directory.Delete(directory, recursive: true);
        }
    }

    [Fact]
    public void ReadsARangeOfRowsWithoutTheRest()
    {
        var values = Enumerable.Range(0, 40).Select(i => (float)i).ToArray();
        var stream = new MemoryStream();
        NpyWriter.Write(stream, values, 10, 4);
        stream.Position = 0;
        var shard = NpyReader.ReadRows(stream, 3, 2);
        Assert.Equal(new long[] { 2, 4 }, shard.Shape);
        Assert.Equal(values[12..20], shard.ToSingle());
    }

    [Fact]
    public void RejectsBadMagic() => AssertRejected(Encoding.ASCII.GetBytes("NOTNUMPYFILE......"), "bad magic");

    [Fact]
    public void RejectsUnsupportedDtype() => AssertRejected(Npy("{'descr': '<c16', 'fortran_order': False, 'shape': (2,), }", 32), "unsupported dtype");

    [Fact]
    public void RejectsBigEndian() => AssertRejected(Npy("{'descr': '>f4', 'fortran_order': False, 'shape': (2,), }", 8), "unsupported dtype");

    [Fact]
    public void RejectsFortranOrder() => AssertRejected(Npy("{'descr': '<f4', 'fortran_order': True, 'shape': (2, 2), }", 16), "Fortran");

    [Fact]
    public void RejectsTruncatedData() => AssertRejected(Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (10, 4), }", 100), "truncated");

    [Fact]
    public void RejectsHeaderShapeThatDisagreesWithFileSize() =>
        AssertRejected(Npy("{'descr': '|u1', 'fortran_order': False, 'shape': (10,), }", 25), "disagrees with the file size");

    [Fact]
    public void RejectsMalformedHeader() => AssertRejected(Npy("{'descr': '<f4'}", 0), "malformed");

    [Fact]
    public void RejectsTrailingBytesOnUnseekableStreams()
    {
        var bytes = Npy("{'descr': '|u1', 'fortran_order': False, 'shape': (4,), }", 6);
        var error = Assert.Throws<DataFormatException>(() => NpyReader.Read(new UnseekableStream(bytes)));
        Assert.Contains("disagrees with the file size", error.Message);
        var floats = Npy("{'descr': '<f4', 'fortran_order': False, 'shape': (2,), }", 12);
        var straight = Assert.Throws<DataFormatException>(() => NpyReader.ReadSingle(new UnseekableStream(floats)));
        Assert.Contains("disagrees with the file size", straight.Message);
    }

    /// <summary>Every reader of whole arrays refuses the bytes in one line.</summary>
    private static void AssertRejected(byte[] bytes, string expected)
    {
        var errors = new[]
        {
            Assert.Throws<DataFormatException>(() => NpyReader.Read(new MemoryStream(bytes))),
            Assert.Throws<DataFormatException>(() => NpyReader.ReadSingle(new MemoryStream(bytes))),
        };
        foreach (var error in errors)
        {
            Assert.Contains(expected, error.Message, StringComparison.OrdinalIgnoreCase);
            Assert.DoesNotContain('\n', error.Message);
        }
    }

    /// <summary>A hand-made .npy: version 1.0 preamble, the given header text, then <paramref name="dataBytes"/> zero bytes.</summary>
    internal static byte[] Npy(string header, int dataBytes)
    {
        var text = header + "\n";
        var result = new List<byte> { 0x93 };
        result.AddRange(Encoding.ASCII.GetBytes("NUMPY"));
        result.AddRange(new byte[] { 1, 0, (byte)(text.Length & 0xFF), (byte)(text.Length >> 8) });
        result.AddRange(Encoding.ASCII.GetBytes(text));
        result.AddRange(new byte[dataBytes]);
        return [.. result];
    }

    private sealed class UnseekableStream(byte[] bytes) : MemoryStream(bytes)
    {
        public override bool CanSeek => false;
    }
}
