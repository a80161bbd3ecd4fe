using Distributed.Ml.Data;
using SkiaSharp;

namespace Distributed.Grains.Reporting;

/// <summary>Grids of 28×28 grayscale images as one PNG: a gallery a person can scan.</summary>
internal static class ImageGrid
{
    /// <summary>Pixels per image side in the grid (28 × 2: large enough to read a digit's stroke).</summary>
    private const int Scale = 2;

    /// <summary>Gap between images, in grid pixels.</summary>
    private const int Gap = 2;

    /// <summary>A PNG of the given rows (784 values in [0, 1] each), <paramref name="columns"/> per line, ink dark on white.</summary>
    public static byte[] Png(IReadOnlyList<ReadOnlyMemory<float>> images, int columns)
    {
        var side = ImageShape.Side * Scale;
        var count = Math.Max(images.Count, 1);
        var rows = (count + columns - 1) / columns;
        var width = Math.Min(count, columns) * (side + Gap) + Gap;
        var height = rows * (side + Gap) + Gap;
        var pixels = new byte[width * height];
        // Light grey between the images, so white margins of neighbours do not run together.
        Array.Fill(pixels, (byte)210);
        for (var n = 0; n < images.Count; n++)
        {
            var tile = images[n].Span;
            var left = Gap + n % columns * (side + Gap);
            var top = Gap + n / columns * (side + Gap);
            for (var y = 0; y < side; y++)
            {
                var line = (top + y) * width + left;
                var source = y / Scale * ImageShape.Side;
                for (var x = 0; x < side; x++)
                {
                    // MNIST is white ink on black; printed pages read better the other way round.
                    pixels[line + x] = (byte)(255 - (int)MathF.Round(Math.Clamp(tile[source + x / Scale], 0f, 1f) * 255f));
                }
            }
        }
        using var image = SKImage.FromPixelCopy(new SKImageInfo(width, height, SKColorType.Gray8, SKAlphaType.Opaque), pixels, width);
        using var encoded = image.Encode(SKEncodedImageFormat.Png, 100);
        return encoded.ToArray();
    }
}
