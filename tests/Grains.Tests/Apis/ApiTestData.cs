using System.Net.Http.Headers;
using System.Text;
using Distributed.Ml.Data;

namespace Distributed.Grains.Tests.Apis;

/// <summary>Request bodies for the predictor API tests.</summary>
internal static class ApiTestData
{
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
