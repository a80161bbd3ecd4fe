using System.Buffers;
using System.Net.Http.Headers;
using System.Runtime.InteropServices;
using System.Text;
using Distributed.Grains.Interfaces.Serving;
using Distributed.Ml.Data;
using MessagePack;

namespace Distributed.Grains.Tests.Apis;

/// <summary>Writes MessagePack by hand (a <c>ref struct</c> writer cannot be a generic argument).</summary>
internal delegate void MessagePackWrite(ref MessagePackWriter writer);

/// <summary>Request bodies for the predictor API tests.</summary>
internal static class ApiTestData
{
    /// <summary>
    /// A MessagePack body written token by token, independently of the server's contract types, so
    /// the tests check the documented wire format rather than the serializer against itself.
    /// </summary>
    public static byte[] MsgPack(MessagePackWrite write)
    {
        var buffer = new ArrayBufferWriter<byte>();
        var writer = new MessagePackWriter(buffer);
        write(ref writer);
        writer.Flush();
        return buffer.WrittenSpan.ToArray();
    }

    /// <summary><c>{"shape": [...], "dtype": ..., "data": bin}</c>.</summary>
    public static byte[] MsgPack(string dtype, ReadOnlySpan<byte> data, params long[] shape)
    {
        var bytes = data.ToArray();
        return MsgPack((ref MessagePackWriter writer) =>
        {
            writer.WriteMapHeader(3);
            WriteShape(ref writer, shape);
            writer.Write("dtype");
            writer.Write(dtype);
            writer.Write("data");
            writer.Write(bytes);
        });
    }

    /// <summary>A uint8 MessagePack body.</summary>
    public static byte[] MsgPack(ReadOnlySpan<byte> pixels, params long[] shape) => MsgPack("uint8", pixels, shape);

    /// <summary>A float32 MessagePack body (little-endian, as every machine these tests run on).</summary>
    public static byte[] MsgPack(ReadOnlySpan<float> values, params long[] shape) => MsgPack("float32", MemoryMarshal.AsBytes(values), shape);

    public static void WriteShape(ref MessagePackWriter writer, long[] shape)
    {
        writer.Write("shape");
        writer.WriteArrayHeader(shape.Length);
        foreach (var dim in shape)
        {
            writer.Write(dim);
        }
    }

    public static ByteArrayContent MsgPackContent(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/msgpack");
        return content;
    }

    /// <summary>A MessagePack answer as the contract type, after checking it is one.</summary>
    public static async Task<PredictResponse> ReadMessagePackAsync(HttpResponseMessage response)
    {
        var body = await response.Content.ReadAsByteArrayAsync();
        Assert.True(response.IsSuccessStatusCode, $"expected success, got {(int)response.StatusCode}: {Encoding.UTF8.GetString(body)}");
        Assert.Equal("application/msgpack", response.Content.Headers.ContentType?.MediaType);
        return MessagePackSerializer.Deserialize<PredictResponse>(body, PredictorMessagePack.Options);
    }

    public static byte[] Npy(ReadOnlySpan<byte> pixels, params long[] shape)
    {
        using var stream = new MemoryStream();
        NpyWriter.Write(stream, pixels, shape);
        return stream.ToArray();
    }

    public static byte[] Npy(ReadOnlySpan<float> values, params long[] shape)
    {
        using var stream = new MemoryStream();
        NpyWriter.Write(stream, values, shape);
        return stream.ToArray();
    }

    public static byte[] NpyFloat64(IEnumerable<double> values, params long[] shape)
    {
        using var stream = new MemoryStream();
        NpyWriter.Write(stream, new NumericArray(NpyDType.Float64, shape, [.. values.SelectMany(BitConverter.GetBytes)]));
        return stream.ToArray();
    }

    /// <summary>A hand-made .npy: any header text and data, for malformed files.</summary>
    public static byte[] RawNpy(string descr, string shape, int dataBytes, string fortran = "False", byte fill = 0)
    {
        var header = $"{{'descr': '{descr}', 'fortran_order': {fortran}, 'shape': {shape}, }}\n";
        byte[] preamble = [0x93, (byte)'N', (byte)'U', (byte)'M', (byte)'P', (byte)'Y', 1, 0, (byte)header.Length, 0];
        return [.. preamble, .. Encoding.ASCII.GetBytes(header), .. Enumerable.Repeat(fill, dataBytes)];
    }

    public static ByteArrayContent NpyContent(byte[] body)
    {
        var content = new ByteArrayContent(body);
        content.Headers.ContentType = new MediaTypeHeaderValue("application/x-npy");
        return content;
    }

    public static StringContent JsonContent(string json) => new(json, Encoding.UTF8, "application/json");

    /// <summary><c>{"images": [[...], ...]}</c> with the values written as given.</summary>
    public static string JsonImages(IEnumerable<IEnumerable<string>> images) =>
        "{\"images\": [" + string.Join(",", images.Select(image => "[" + string.Join(",", image) + "]")) + "]}";

    public static IEnumerable<string> Values(float[] image, Func<float, string>? format = null) =>
        image.Select(format ?? (v => v.ToString("R", System.Globalization.CultureInfo.InvariantCulture)));
}
