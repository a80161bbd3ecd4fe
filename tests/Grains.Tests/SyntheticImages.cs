using Distributed.Ml.Data;
using Distributed.Ml.Numerics;

namespace Distributed.Grains.Tests;

/// <summary>Small image sets with an obvious cluster structure, written as .npy for the jobs to read.</summary>
internal static class SyntheticImages
{
    /// <summary>Class c lights a horizontal band of rows [6c, 6c + 6); every pixel gets seeded noise.</summary>
    public static (byte[] Pixels, byte[] Labels) Make(int perClass, int classes, ulong seed)
    {
        var rng = new Rng(seed);
        var count = perClass * classes;
        var pixels = new byte[count * ImageShape.Pixels];
        var labels = new byte[count];
        for (var i = 0; i < count; i++)
        {
            var label = i % classes;
            labels[i] = (byte)label;
            for (var p = 0; p < ImageShape.Pixels; p++)
            {
                var row = p / ImageShape.Side;
                var on = row >= 6 * label && row < 6 * label + 6;
                pixels[i * ImageShape.Pixels + p] = (byte)Math.Clamp((on ? 200 : 20) + rng.NextGaussian() * 25, 0, 255);
            }
        }
        return (pixels, labels);
    }

    public static (string Images, string Labels) Write(string directory, int perClass = 60, int classes = 3, ulong seed = 1)
    {
        var (pixels, labels) = Make(perClass, classes, seed);
        var images = Path.Combine(directory, "images.npy");
        var labelPath = Path.Combine(directory, "labels.npy");
        using (var file = File.Create(images))
        {
            NpyWriter.Write(file, pixels, labels.Length, 1, ImageShape.Side, ImageShape.Side);
        }
        using (var file = File.Create(labelPath))
        {
            NpyWriter.Write(file, labels, labels.Length);
        }
        return (images, labelPath);
    }
}
