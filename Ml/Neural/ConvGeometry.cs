namespace Distributed.Ml.Neural;

/// <summary>
/// The sliding-window geometry shared by <see cref="Conv2d"/> and <see cref="ConvTranspose2d"/>:
/// an image (channels-last) scanned by a square kernel with stride and symmetric zero padding,
/// giving a grid of patches. <see cref="Im2Col"/> gathers every patch into a row so a convolution
/// becomes one matrix product; <see cref="Col2Im"/> is its adjoint (scatter-add of patch rows).
/// </summary>
/// <remarks>A patch row holds kernel rows, then kernel columns, then channels — channels-last, so
/// each kernel tap is one contiguous copy of <c>Channels</c> values.</remarks>
internal readonly record struct ConvGeometry(TensorShape Image, int Kernel, int Stride, int Padding, int GridHeight, int GridWidth)
{
    /// <summary>Geometry of a convolution over <paramref name="image"/>; the grid size follows from it.</summary>
    public static ConvGeometry ForImage(TensorShape image, int kernel, int stride, int padding)
    {
        Validate(kernel, stride, padding);
        var gridHeight = (image.Height + 2 * padding - kernel) / stride + 1;
        var gridWidth = (image.Width + 2 * padding - kernel) / stride + 1;
        if (gridHeight < 1 || gridWidth < 1)
        {
            throw new ArgumentException($"A {kernel}×{kernel} kernel does not fit a {image} image with padding {padding}.");
        }
        return new ConvGeometry(image, kernel, stride, padding, gridHeight, gridWidth);
    }

    /// <summary>Geometry of a transposed convolution whose output is <paramref name="image"/> and input a <paramref name="gridHeight"/>×<paramref name="gridWidth"/> grid.</summary>
    public static ConvGeometry ForGrid(int gridHeight, int gridWidth, TensorShape image, int kernel, int stride, int padding)
    {
        var geometry = ForImage(image, kernel, stride, padding);
        if (geometry.GridHeight != gridHeight || geometry.GridWidth != gridWidth)
        {
            throw new ArgumentException($"A {gridHeight}×{gridWidth} grid does not map onto a {image} image with kernel {kernel}, stride {stride}, padding {padding}.");
        }
        return geometry;
    }

    /// <summary>Values in one patch row.</summary>
    public int PatchSize => Kernel * Kernel * Image.Channels;

    /// <summary>Patches per image.</summary>
    public int Patches => GridHeight * GridWidth;

    /// <summary>Copies every patch of every image into <paramref name="columns"/> (batch·patches × patch size).</summary>
    public void Im2Col(ReadOnlySpan<float> images, Span<float> columns, int batch)
    {
        var channels = Image.Channels;
        var patchSize = PatchSize;
        for (var b = 0; b < batch; b++)
        {
            var image = images.Slice(b * Image.Size, Image.Size);
            for (var gy = 0; gy < GridHeight; gy++)
            {
                for (var gx = 0; gx < GridWidth; gx++)
                {
                    var row = columns.Slice(((b * GridHeight + gy) * GridWidth + gx) * patchSize, patchSize);
                    for (var ky = 0; ky < Kernel; ky++)
                    {
                        var y = gy * Stride - Padding + ky;
                        var tapRow = row.Slice(ky * Kernel * channels, Kernel * channels);
                        if ((uint)y >= (uint)Image.Height)
                        {
                            tapRow.Clear();
                            continue;
                        }
                        var left = gx * Stride - Padding;
                        if (left >= 0 && left + Kernel <= Image.Width)
                        {
                            // Channels-last: a kernel row inside the image is one run of Kernel·Channels values
                            // (one copy rather than one per tap, which matters at one channel).
                            image.Slice((y * Image.Width + left) * channels, Kernel * channels).CopyTo(tapRow);
                            continue;
                        }
                        for (var kx = 0; kx < Kernel; kx++)
                        {
                            var x = left + kx;
                            var tap = tapRow.Slice(kx * channels, channels);
                            if ((uint)x >= (uint)Image.Width)
                            {
                                tap.Clear();
                            }
                            else
                            {
                                image.Slice((y * Image.Width + x) * channels, channels).CopyTo(tap);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>Adds every patch row back onto its image positions; <paramref name="images"/> is overwritten.</summary>
    public void Col2Im(ReadOnlySpan<float> columns, Span<float> images, int batch)
    {
        var channels = Image.Channels;
        var patchSize = PatchSize;
        images[..(batch * Image.Size)].Clear();
        for (var b = 0; b < batch; b++)
        {
            var image = images.Slice(b * Image.Size, Image.Size);
            for (var gy = 0; gy < GridHeight; gy++)
            {
                for (var gx = 0; gx < GridWidth; gx++)
                {
                    var row = columns.Slice(((b * GridHeight + gy) * GridWidth + gx) * patchSize, patchSize);
                    for (var ky = 0; ky < Kernel; ky++)
                    {
                        var y = gy * Stride - Padding + ky;
                        if ((uint)y >= (uint)Image.Height)
                        {
                            continue;
                        }
                        for (var kx = 0; kx < Kernel; kx++)
                        {
                            var x = gx * Stride - Padding + kx;
                            if ((uint)x < (uint)Image.Width)
                            {
                                var target = image.Slice((y * Image.Width + x) * channels, channels);
                                System.Numerics.Tensors.TensorPrimitives.Add(target, row.Slice((ky * Kernel + kx) * channels, channels), target);
                            }
                        }
                    }
                }
            }
        }
    }

    private static void Validate(int kernel, int stride, int padding)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(kernel, 1);
        ArgumentOutOfRangeException.ThrowIfLessThan(stride, 1);
        ArgumentOutOfRangeException.ThrowIfNegative(padding);
        ArgumentOutOfRangeException.ThrowIfGreaterThanOrEqual(padding, kernel);
    }
}
