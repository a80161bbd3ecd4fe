namespace Distributed.Ml.Data;

/// <summary>The image geometry the product works on: 28×28 single-channel.</summary>
public static class ImageShape
{
    /// <summary>Image height and width in pixels.</summary>
    public const int Side = 28;

    /// <summary>Pixels per image.</summary>
    public const int Pixels = Side * Side;

    /// <summary>The accepted layouts, for error messages.</summary>
    public const string AcceptedLayouts = "(N,1,28,28), (N,28,28) or (N,784)";
}
