using Distributed.Ml.Numerics;

namespace Distributed.Ml.Refinement;

/// <summary>
/// Light, label-preserving distortions of a square grayscale image: a random rotation about the
/// centre and a random sub-pixel shift, resampled bilinearly. Positions outside the image read the
/// mean of its outermost ring of pixels, its background: zero for dark-background digits, one for
/// the same digits inverted. No flips: a mirrored glyph or letter is often another class.
/// </summary>
public static class ImageAugmentation
{
    /// <summary>
    /// Writes a distorted copy of <paramref name="image"/> (side × side values) into
    /// <paramref name="output"/>: rotation uniform in ±<paramref name="maxRotationDegrees"/>, shift
    /// uniform in ±<paramref name="maxShift"/> pixels on each axis, both drawn from <paramref name="rng"/>.
    /// </summary>
    public static void Apply(ReadOnlySpan<float> image, Span<float> output, int side, double maxShift, double maxRotationDegrees, Rng rng)
    {
        ArgumentNullException.ThrowIfNull(rng);
        ArgumentOutOfRangeException.ThrowIfLessThan(side, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(maxShift);
        ArgumentOutOfRangeException.ThrowIfNegative(maxRotationDegrees);
        if (image.Length != side * side || output.Length != side * side)
        {
            throw new ArgumentException($"Augmentation needs {side}×{side} images, got {image.Length} and {output.Length} values.");
        }
        var angle = (2 * rng.NextDouble() - 1) * maxRotationDegrees * Math.PI / 180;
        var shiftX = (2 * rng.NextDouble() - 1) * maxShift;
        var shiftY = (2 * rng.NextDouble() - 1) * maxShift;
        Warp(image, output, side, angle, shiftX, shiftY);
    }

    /// <summary>
    /// Rotates by <paramref name="angle"/> radians about the image centre, then shifts: each output
    /// pixel reads the input at the inverse-mapped position.
    /// </summary>
    public static void Warp(ReadOnlySpan<float> image, Span<float> output, int side, double angle, double shiftX, double shiftY)
    {
        var background = Border(image, side);
        var centre = (side - 1) / 2.0;
        var cos = Math.Cos(angle);
        var sin = Math.Sin(angle);
        for (var y = 0; y < side; y++)
        {
            var dy = y - centre - shiftY;
            for (var x = 0; x < side; x++)
            {
                var dx = x - centre - shiftX;
                // The inverse rotation of the output position gives where it came from.
                var sourceX = cos * dx + sin * dy + centre;
                var sourceY = -sin * dx + cos * dy + centre;
                output[y * side + x] = Sample(image, side, sourceX, sourceY, background);
            }
        }
    }

    private static float Border(ReadOnlySpan<float> image, int side)
    {
        if (side == 1)
        {
            return image[0];
        }
        double sum = 0;
        for (var i = 0; i < side; i++)
        {
            sum += image[i] + image[(side - 1) * side + i];
        }
        for (var i = 1; i < side - 1; i++)
        {
            sum += image[i * side] + image[i * side + side - 1];
        }
        return (float)(sum / (4 * side - 4));
    }

    private static float Sample(ReadOnlySpan<float> image, int side, double x, double y, float background)
    {
        var x0 = (int)Math.Floor(x);
        var y0 = (int)Math.Floor(y);
        var fx = (float)(x - x0);
        var fy = (float)(y - y0);
        var top = (1 - fx) * Pixel(image, side, x0, y0, background) + fx * Pixel(image, side, x0 + 1, y0, background);
        var bottom = (1 - fx) * Pixel(image, side, x0, y0 + 1, background) + fx * Pixel(image, side, x0 + 1, y0 + 1, background);
        return (1 - fy) * top + fy * bottom;
    }

    private static float Pixel(ReadOnlySpan<float> image, int side, int x, int y, float background) =>
        (uint)x < (uint)side && (uint)y < (uint)side ? image[y * side + x] : background;
}
