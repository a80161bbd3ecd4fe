namespace Distributed.Ml.Neural;

/// <summary>
/// Shape of one sample flowing between layers, stored channels-last (NHWC): a batch is
/// <c>batch × Height × Width × Channels</c> contiguous floats. A feature vector is 1×1×n.
/// </summary>
/// <remarks>
/// Channels-last makes a convolution one matrix product over patch rows and lets batch
/// normalisation treat every pixel position as a row, the same code as for dense features.
/// </remarks>
public readonly record struct TensorShape(int Height, int Width, int Channels)
{
    /// <summary>A flat vector of <paramref name="features"/> values.</summary>
    public static TensorShape Vector(int features) => new(1, 1, features);

    /// <summary>Values per sample.</summary>
    public int Size => Height * Width * Channels;

    /// <summary>Pixel positions per sample (rows seen by a per-channel operation).</summary>
    public int Positions => Height * Width;

    /// <inheritdoc />
    public override string ToString() => $"{Height}×{Width}×{Channels}";
}
