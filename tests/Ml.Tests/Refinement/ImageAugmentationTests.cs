using Distributed.Ml.Numerics;
using Distributed.Ml.Refinement;

namespace Distributed.Ml.Tests.Refinement;

public class ImageAugmentationTests
{
    private static float[] Ramp(int side) => Enumerable.Range(0, side * side).Select(i => (float)(i + 1)).ToArray();

    [Fact]
    public void AWholePixelShiftMovesTheImageAndFillsWithTheBorder()
    {
        // A 4×4 image whose border is all zero but for one pixel: the background is its ring's mean.
        var image = new float[16];
        image[5] = 1f;
        image[6] = 2f;
        var output = new float[16];
        ImageAugmentation.Warp(image, output, 4, angle: 0, shiftX: 1, shiftY: 0);
        var expected = new float[16];
        expected[6] = 1f;
        expected[7] = 2f;
        Assert.Equal(expected, output);
    }

    [Fact]
    public void AQuarterTurnRotatesTheGrid()
    {
        var image = Ramp(5);
        var output = new float[25];
        ImageAugmentation.Warp(image, output, 5, Math.PI / 2, 0, 0);
        for (var y = 0; y < 5; y++)
        {
            for (var x = 0; x < 5; x++)
            {
                // Output (x, y) reads the input at the inverse rotation: (y, 4 − x) in (x, y) order.
                Assert.Equal(image[(4 - x) * 5 + y], output[y * 5 + x], 3);
            }
        }
    }

    [Fact]
    public void OutsideReadsTheBackgroundOfAnInvertedImage()
    {
        var image = Enumerable.Repeat(1f, 16).ToArray();
        image[5] = 0f;
        var output = new float[16];
        ImageAugmentation.Warp(image, output, 4, 0, shiftX: 2, shiftY: 0);
        // Columns 0 and 1 come from outside: the white background (the ring's mean), not black.
        Assert.Equal(1f, output[0]);
        Assert.Equal(1f, output[1 * 4 + 1]);
        // The dark interior pixel (1, 1) moved two to the right.
        Assert.Equal(0f, output[1 * 4 + 3]);
    }

    [Fact]
    public void NoShiftAndNoRotationCopies()
    {
        var image = Ramp(6);
        var output = new float[36];
        ImageAugmentation.Apply(image, output, 6, maxShift: 0, maxRotationDegrees: 0, new Rng(1));
        Assert.Equal(image, output);
    }

    [Fact]
    public void TheSameSeedGivesTheSameDistortion()
    {
        var image = Ramp(8);
        var first = new float[64];
        var second = new float[64];
        ImageAugmentation.Apply(image, first, 8, 2, 10, new Rng(9));
        ImageAugmentation.Apply(image, second, 8, 2, 10, new Rng(9));
        Assert.Equal(first, second);
        Assert.NotEqual(image, first);
    }
}
