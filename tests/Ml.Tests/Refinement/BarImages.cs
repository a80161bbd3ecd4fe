using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Refinement;

/// <summary>Small images a CNN can tell apart and a pixel-space clustering only roughly: a bar, horizontal (class 0) or vertical (class 1), at a random place.</summary>
internal static class BarImages
{
    public const int Side = 18;

    public static (Matrix Images, int[] Labels) Make(int count, ulong seed)
    {
        var rng = new Rng(seed);
        var images = new Matrix(count, Side * Side);
        var labels = new int[count];
        for (var i = 0; i < count; i++)
        {
            var label = i % 2;
            labels[i] = label;
            var row = images.Row(i);
            var along = rng.NextInt(Side - 10);
            var across = rng.NextInt(Side - 2);
            for (var a = along; a < along + 10; a++)
            {
                for (var b = across; b < across + 2; b++)
                {
                    var (x, y) = label == 0 ? (a, b) : (b, a);
                    row[y * Side + x] = 0.6f + 0.4f * rng.NextSingle();
                }
            }
        }
        return (images, labels);
    }
}
