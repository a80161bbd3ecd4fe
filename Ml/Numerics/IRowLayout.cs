namespace Distributed.Ml.Numerics;

/// <summary>
/// Where each row of a matrix product's left operand lies in a flat buffer, for
/// <see cref="InferenceGemm.MultiplyGatheredAddBias"/>: <see cref="Segments"/> runs of
/// <see cref="SegmentLength"/> values, run s starting at <see cref="RowStart"/> + s ·
/// <see cref="SegmentStride"/>. A convolution's patch is such a row: one run per kernel row,
/// read in place from a channels-last image.
/// </summary>
/// <remarks>Row starts must not decrease with the row index (the product checks the last row's reach only).</remarks>
internal interface IRowLayout
{
    /// <summary>Offset of the first value of <paramref name="row"/>.</summary>
    nuint RowStart(int row);

    /// <summary>Runs per row.</summary>
    int Segments { get; }

    /// <summary>Values per run.</summary>
    int SegmentLength { get; }

    /// <summary>Distance from one run's start to the next.</summary>
    nuint SegmentStride { get; }
}
