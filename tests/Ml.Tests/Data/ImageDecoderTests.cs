using Distributed.Ml.Data;

namespace Distributed.Ml.Tests.Data;

public class ImageDecoderTests
{
    [Theory]
    [InlineData(new long[] { 2, 1, 28, 28 })]
    [InlineData(new long[] { 2, 28, 28 })]
    [InlineData(new long[] { 2, 784 })]
    public void AcceptsTheThreeLayouts(long[] shape)
    {
        var images = ImageDecoder.Decode(new NumericArray(NpyDType.UInt8, shape, Enumerable.Repeat((byte)255, 2 * 784).ToArray()));
        Assert.Equal(2, images.Rows);
        Assert.Equal(784, images.Cols);
        Assert.All(images.Data, v => Assert.Equal(1f, v));
    }

    [Fact]
    public void ScalesBytesAndLargeFloatsBy255ButKeepsUnitFloats()
    {
        var bytes = ImageDecoder.Decode(new NumericArray(NpyDType.UInt8, [1, 784], Enumerable.Repeat((byte)51, 784).ToArray()));
        Assert.Equal(0.2f, bytes.Data[0], 6);
        var large = ImageDecoder.Decode(NumericArray.FromSingle(Enumerable.Repeat(127.5f, 784).ToArray(), 1, 784));
        Assert.Equal(0.5f, large.Data[0], 6);
        var unit = ImageDecoder.Decode(NumericArray.FromSingle(Enumerable.Repeat(0.3f, 784).ToArray(), 1, 784));
        Assert.Equal(0.3f, unit.Data[0], 6);
    }

    [Theory]
    [InlineData(new long[] { 2, 32, 32 }, "wrong image size")]
    [InlineData(new long[] { 2, 3, 28, 28 }, "wrong image size")]
    [InlineData(new long[] { 2, 783 }, "wrong image size")]
    [InlineData(new long[] { 784 }, "wrong image size")]
    [InlineData(new long[] { 0, 28, 28 }, "zero images")]
    public void RejectsShapes(long[] shape, string expected)
    {
        var count = shape.Aggregate(1L, (a, b) => a * b);
        var error = Assert.Throws<DataFormatException>(() => ImageDecoder.Decode(new NumericArray(NpyDType.UInt8, shape, new byte[count])));
        Assert.Contains(expected, error.Message);
    }

    [Theory]
    [InlineData(float.NaN, "NaN")]
    [InlineData(float.PositiveInfinity, "infinite")]
    [InlineData(float.NegativeInfinity, "infinite")]
    [InlineData(-1f, "outside the valid range")]
    [InlineData(256f, "outside the valid range")]
    public void RejectsBadPixelValues(float bad, string expected)
    {
        var pixels = new float[2 * 784];
        pixels[784 + 5] = bad;
        var error = Assert.Throws<DataFormatException>(() => ImageDecoder.Decode(NumericArray.FromSingle(pixels, 2, 784)));
        Assert.Contains(expected, error.Message);
        Assert.Contains("image 1, pixel 5", error.Message);
    }

    [Fact]
    public void RejectsIntegerPixelsAbove255()
    {
        var error = Assert.Throws<DataFormatException>(() => ImageDecoder.Decode(NumericArray.FromInt32(Enumerable.Repeat(300, 784).ToArray(), 1, 784)));
        Assert.Contains("outside the valid range", error.Message);
    }
}
