using Distributed.Ml.Data;

namespace Distributed.Ml.Tests.Data;

public class PixelBytesTests
{
    public static TheoryData<int> Lengths()
    {
        var lengths = new TheoryData<int>();
        for (var length = 0; length <= 256; length++)
        {
            lengths.Add(length);
        }
        // Past the vector loop's widest step several times over, with a tail.
        lengths.Add(784 * 3 + 5);
        return lengths;
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void WidensEveryByteExactlyAsTheScalarReference(int length)
    {
        var source = Bytes(length, seed: length);
        var destination = new float[length + 1];
        destination[^1] = -7f;
        PixelBytes.Widen(source, destination);
        for (var i = 0; i < length; i++)
        {
            Assert.Equal((float)source[i], destination[i]);
        }
        Assert.Equal(-7f, destination[^1]); // nothing written past the source's length
    }

    [Theory]
    [MemberData(nameof(Lengths))]
    public void NormalisesEveryByteToTheBitsOfTheScalarDivision(int length)
    {
        var source = Bytes(length, seed: 1000 + length);
        var destination = new float[length];
        PixelBytes.Normalise(source, destination);
        for (var i = 0; i < length; i++)
        {
            // Bit for bit: the vector lanes divide as the scalar path does, correctly rounded.
            Assert.Equal(BitConverter.SingleToInt32Bits(source[i] / 255f), BitConverter.SingleToInt32Bits(destination[i]));
        }
    }

    [Fact]
    public void NormalisesAll256ValuesAsTheTensorPrimitivesPathDid()
    {
        // The values every path read before (ConvertChecked to float, then Divide by 255), in each vector lane.
        var source = Enumerable.Range(0, 256).Select(v => (byte)v).ToArray();
        var expected = new float[256];
        System.Numerics.Tensors.TensorPrimitives.ConvertChecked<byte, float>(source, expected);
        System.Numerics.Tensors.TensorPrimitives.Divide(expected, 255f, expected);
        var actual = new float[256];
        PixelBytes.Normalise(source, actual);
        Assert.Equal(expected, actual);
        Assert.Equal(0f, actual[0]);
        Assert.Equal(1f, actual[255]);
    }

    [Fact]
    public void RefusesADestinationShorterThanTheSource()
    {
        var error = Assert.Throws<ArgumentException>(() => PixelBytes.Normalise(new byte[10], new float[9]));
        Assert.Contains("destination holds 9 values, the source 10", error.Message);
        Assert.Throws<ArgumentException>(() => PixelBytes.Widen(new byte[10], new float[9]));
    }

    private static byte[] Bytes(int length, int seed)
    {
        var bytes = new byte[length];
        new Random(seed).NextBytes(bytes);
        return bytes;
    }
}
