using Distributed.Ml.Numerics;

namespace Distributed.Ml.Data;

/// <summary>
/// Turns a decoded array into an image matrix: one row of 784 pixels per image, scaled to [0, 1].
/// </summary>
/// <remarks>
/// Scaling rule, decided once per array: integer types and floats with any value above 1 are taken
/// as 0..255 and divided by 255; floats already within [0, 1] are kept. Anything outside 0..255,
/// NaN or infinite is an error rather than something to clip: it means the file is not what the
/// user thinks it is.
/// </remarks>
public static class ImageDecoder
{
    private const float MaxRawPixel = 255f;

    /// <summary>Validates the shape and values of an image array and normalises it.</summary>
    /// <exception cref="DataFormatException">Wrong image size, zero images, NaN/Inf or out-of-range pixels.</exception>
    public static Matrix Decode(NumericArray array)
    {
        var count = ImageCount(array.Shape, array.ShapeText);
        if (array.DType == NpyDType.UInt8)
        {
            // Every byte is a pixel in range: widened and scaled in one pass, nothing to check.
            var scaled = new float[array.Bytes.Length];
            PixelBytes.Normalise(array.Bytes, scaled);
            return new Matrix(count, ImageShape.Pixels, scaled);
        }
        var pixels = array.ToSingle();
        Normalise(pixels, array.DType.IsFloatingPoint());
        return new Matrix(count, ImageShape.Pixels, pixels);
    }

    /// <summary>Validates and normalises images read from CSV.</summary>
    public static Matrix Decode(CsvTable table)
    {
        if (table.Columns != ImageShape.Pixels)
        {
            throw new DataFormatException($"wrong image size: {table.Columns} pixel columns, expected {ImageShape.Pixels} (28×28)");
        }
        if (table.Rows == 0)
        {
            throw new DataFormatException("contains zero images");
        }
        var pixels = table.Values;
        Normalise(pixels, isFloatingPoint: true);
        return new Matrix(table.Rows, ImageShape.Pixels, pixels);
    }

    /// <summary>Number of images an array of this shape holds; throws when the layout is not accepted.</summary>
    public static int ImageCount(IReadOnlyList<long> shape, string shapeText)
    {
        var accepted = shape.Count switch
        {
            4 => shape[1] == 1 && shape[2] == ImageShape.Side && shape[3] == ImageShape.Side,
            3 => shape[1] == ImageShape.Side && shape[2] == ImageShape.Side,
            2 => shape[1] == ImageShape.Pixels,
            _ => false,
        };
        if (!accepted)
        {
            throw new DataFormatException($"wrong image size: shape {shapeText}, expected 28×28 grayscale images as {ImageShape.AcceptedLayouts}");
        }
        if (shape[0] == 0)
        {
            throw new DataFormatException($"contains zero images (shape {shapeText})");
        }
        if (shape[0] > int.MaxValue / ImageShape.Pixels)
        {
            throw new DataFormatException($"{shape[0]} images are too many to load at once; split the input into shards");
        }
        return (int)shape[0];
    }

    /// <summary>Checks every value and scales to [0, 1] in place.</summary>
    public static void Normalise(Span<float> pixels, bool isFloatingPoint)
    {
        // Vectorised bounds first (Max propagates NaN, and an infinity is out of range either way);
        // only a bad array takes the loop below, which names its first bad pixel. The loop was most
        // of a served batch's decoding.
        if (pixels.IsEmpty)
        {
            return;
        }
        var highest = System.Numerics.Tensors.TensorPrimitives.Max(pixels);
        if (highest <= MaxRawPixel && System.Numerics.Tensors.TensorPrimitives.Min(pixels) >= 0f)
        {
            if (!isFloatingPoint || highest > 1f)
            {
                System.Numerics.Tensors.TensorPrimitives.Divide(pixels, MaxRawPixel, pixels);
            }
            return;
        }
        var max = 0f;
        for (var i = 0; i < pixels.Length; i++)
        {
            var value = pixels[i];
            if (!float.IsFinite(value))
            {
                throw new DataFormatException($"image {i / ImageShape.Pixels}, pixel {i % ImageShape.Pixels} is {(float.IsNaN(value) ? "NaN" : "infinite")}");
            }
            if (value < 0f || value > MaxRawPixel)
            {
                throw new DataFormatException(
                    $"pixel values outside the valid range: image {i / ImageShape.Pixels}, pixel {i % ImageShape.Pixels} is {value} (expected 0..255, or 0..1 for floats)");
            }
            max = MathF.Max(max, value);
        }
        if (!isFloatingPoint || max > 1f)
        {
            System.Numerics.Tensors.TensorPrimitives.Divide(pixels, MaxRawPixel, pixels);
        }
    }
}
