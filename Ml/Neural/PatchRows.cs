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
    private readonly int _gridWidth;
    private readonly nuint _imageSize;
    private readonly nuint _stepDown;
    private readonly nuint _stepAcross;

    public PatchRows(ConvGeometry geometry)
    {
        if (geometry.Padding != 0)
        {
            throw new ArgumentException("Padded patches cannot be read in place.", nameof(geometry));
        }
        var channels = geometry.Image.Channels;
        _patches = geometry.Patches;
        _gridWidth = geometry.GridWidth;
        _imageSize = (nuint)geometry.Image.Size;
        _stepDown = (nuint)(geometry.Stride * geometry.Image.Width * channels);
        _stepAcross = (nuint)(geometry.Stride * channels);
        Segments = geometry.Kernel;
        SegmentLength = geometry.Kernel * channels;
        SegmentStride = (nuint)(geometry.Image.Width * channels);
    }

    public int Segments { get; }

    public int SegmentLength { get; }

    public nuint SegmentStride { get; }

    public nuint RowStart(int row)
    {
        var image = row / _patches;
        var patch = row - image * _patches;
        var gridRow = patch / _gridWidth;
        var gridColumn = patch - gridRow * _gridWidth;
        return (nuint)image * _imageSize + (nuint)gridRow * _stepDown + (nuint)gridColumn * _stepAcross;
    }
}
