using Distributed.Ml.Numerics;

namespace Distributed.Ml.Neural;

/// <summary>
/// A convolution's patch rows read in place from a batch of channels-last images (rows ordered
/// image, grid row, grid column, as <see cref="ConvGeometry.Im2Col"/> writes them): each patch is one
/// run of Kernel·Channels values per kernel row. Only without padding, whose zeros lie in no image.
/// </summary>
internal readonly struct PatchRows : IRowLayout
{
    private readonly int _patches;
    private readonly nuint _imageSize;

    /// <summary>Each patch's start within one image: a table rather than two divisions per row, which cost as much as a row's multiply-adds in a one-channel layer.</summary>
    private readonly int[] _starts;

    public PatchRows(ConvGeometry geometry)
    {
        if (geometry.Padding != 0)
        {
            throw new ArgumentException("Padded patches cannot be read in place.", nameof(geometry));
        }
        var channels = geometry.Image.Channels;
        _patches = geometry.Patches;
        _imageSize = (nuint)geometry.Image.Size;
        _starts = new int[geometry.Patches];
        for (var gy = 0; gy < geometry.GridHeight; gy++)
        {
            for (var gx = 0; gx < geometry.GridWidth; gx++)
            {
                _starts[gy * geometry.GridWidth + gx] = (gy * geometry.Image.Width + gx) * geometry.Stride * channels;
            }
        }
        Segments = geometry.Kernel;
        SegmentLength = geometry.Kernel * channels;
        SegmentStride = (nuint)(geometry.Image.Width * channels);
    }

    public int Segments { get; }

    public int SegmentLength { get; }

    public nuint SegmentStride { get; }

    public nuint RowStart(int row)
    {
        if ((uint)row < (uint)_patches)
        {
            return (nuint)_starts[row];
        }
        var image = row / _patches;
        return (nuint)image * _imageSize + (nuint)_starts[row - image * _patches];
    }
}
