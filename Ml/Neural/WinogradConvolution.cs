using System.Numerics;
using System.Runtime.InteropServices;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Neural;

/// <summary>
/// Inference of an unpadded 3×3, stride-1 convolution with fixed weights by Winograd's minimal
/// filtering F(2×2, 3×3) (Lavin and Gray, "Fast Algorithms for Convolutional Neural Networks",
/// 2016): each 2×2 block of outputs comes from a 4×4 block of inputs with 16 multiplications per
/// channel pair instead of 36. The multiplications are 16 matrix products, (tiles × input channels) ·
/// (input channels × filters), one per position of the transformed 4×4 tile, on <see cref="InferenceGemm"/>.
/// </summary>
/// <remarks>
/// The self-labelling CNN's second convolution (13×13×32 → 11×11×64) was two thirds of a served
/// image's network time; this form does its products with 0.53 of the multiply-adds. The weights
/// are transformed once, when a layer's weights are fixed (<see cref="Conv2d.FixWeights"/>): a
/// layer still training keeps the direct form. Every tile is computed on its own with a fixed order
/// of operations (the transforms lane by lane across channels, the products as in
/// <see cref="InferenceGemm"/>), so an image's output is the same to the bit alone or in a batch
/// and whatever the machine's vector width. It differs from the direct sum in the last bits (the
/// transforms add and subtract inputs before multiplying), which the tests bound.
/// </remarks>
internal sealed class WinogradConvolution
{
    /// <summary>
    /// Channel and filter counts must be multiples of this: the widest <see cref="Vector{T}"/> of floats
    /// (512 bits), so the transforms need no partial vectors on any machine and whether a layer takes
    /// this form does not depend on the machine.
    /// </summary>
    private const int ChannelMultiple = 16;

    private const int Positions = 16;

    // G, the weight transform of F(2×2, 3×3): U = G g Gᵀ.
    private static readonly double[,] s_g = { { 1, 0, 0 }, { 0.5, 0.5, 0.5 }, { 0.5, -0.5, 0.5 }, { 0, 0, 1 } };

    private readonly ConvGeometry _geometry;
    private readonly int _filters;
    private readonly float[] _transformedWeights;
    private readonly float[] _noBias;
    private readonly int _tilesDown;
    private readonly int _tilesAcross;
    private float[] _paddedImage = [];
    private float[] _inputTiles = [];
    private float[] _products = [];

    /// <summary>Transforms <paramref name="weights"/> (patch × filters, as <see cref="Conv2d"/> holds them) once.</summary>
    public WinogradConvolution(ConvGeometry geometry, int filters, ReadOnlySpan<float> weights)
    {
        if (!Applies(geometry, filters))
        {
            throw new ArgumentException($"Winograd F(2×2, 3×3) needs an unpadded 3×3 stride-1 convolution with channels and filters in multiples of {ChannelMultiple}.", nameof(geometry));
        }
        _geometry = geometry;
        _filters = filters;
        _tilesDown = (geometry.GridHeight + 1) / 2;
        _tilesAcross = (geometry.GridWidth + 1) / 2;
        _transformedWeights = TransformWeights(weights, geometry.Image.Channels, filters);
        _noBias = new float[filters];
    }

    /// <summary>Whether a convolution of <paramref name="geometry"/> with <paramref name="filters"/> filters is one this form computes.</summary>
    public static bool Applies(ConvGeometry geometry, int filters) =>
        geometry.Kernel == 3 && geometry.Stride == 1 && geometry.Padding == 0
        && geometry.Image.Channels % ChannelMultiple == 0 && filters % ChannelMultiple == 0;

    /// <summary>Writes the convolution of <paramref name="batch"/> channels-last images plus <paramref name="bias"/> to <paramref name="output"/>.</summary>
    public void Forward(ReadOnlySpan<float> input, Span<float> output, int batch, ReadOnlySpan<float> bias)
    {
        var channels = _geometry.Image.Channels;
        var tiles = batch * _tilesDown * _tilesAcross;
        var inputTiles = Ensure(ref _inputTiles, Positions * tiles * channels);
        var products = Ensure(ref _products, Positions * tiles * _filters);
        for (var b = 0; b < batch; b++)
        {
            TransformInput(Padded(input.Slice(b * _geometry.Image.Size, _geometry.Image.Size)), inputTiles, b * _tilesDown * _tilesAcross, tiles);
        }
        for (var position = 0; position < Positions; position++)
        {
            InferenceGemm.MultiplyAddBias(
                inputTiles.AsSpan(position * tiles * channels, tiles * channels), tiles, channels,
                _transformedWeights.AsSpan(position * channels * _filters, channels * _filters), _filters, _noBias,
                products.AsSpan(position * tiles * _filters, tiles * _filters));
        }
        TransformOutput(products, output, bias, batch, tiles);
    }

    /// <summary>U = G g Gᵀ for every channel and filter, in double, laid out position-major: 16 matrices of channels × filters.</summary>
    private static float[] TransformWeights(ReadOnlySpan<float> weights, int channels, int filters)
    {
        var transformed = new float[Positions * channels * filters];
        Span<double> g = stackalloc double[9];
        Span<double> gg = stackalloc double[12];
        for (var c = 0; c < channels; c++)
        {
            for (var f = 0; f < filters; f++)
            {
                for (var tap = 0; tap < 9; tap++)
                {
                    g[tap] = weights[(tap * channels + c) * filters + f];
                }
                for (var a = 0; a < 4; a++)
                {
                    for (var j = 0; j < 3; j++)
                    {
                        gg[a * 3 + j] = s_g[a, 0] * g[j] + s_g[a, 1] * g[3 + j] + s_g[a, 2] * g[6 + j];
                    }
                }
                for (var a = 0; a < 4; a++)
                {
                    for (var b = 0; b < 4; b++)
                    {
                        transformed[((a * 4 + b) * channels + c) * filters + f] = (float)(gg[a * 3] * s_g[b, 0] + gg[a * 3 + 1] * s_g[b, 1] + gg[a * 3 + 2] * s_g[b, 2]);
                    }
                }
            }
        }
        return transformed;
    }

    /// <summary>The image with zero rows and columns added to cover whole 4×4 blocks (an odd grid's last block reaches one past the image).</summary>
    private ReadOnlySpan<float> Padded(ReadOnlySpan<float> image)
    {
        int height = _geometry.Image.Height, width = _geometry.Image.Width, channels = _geometry.Image.Channels;
        int paddedHeight = 2 * _tilesDown + 2, paddedWidth = 2 * _tilesAcross + 2;
        if (paddedHeight == height && paddedWidth == width)
        {
            return image;
        }
        // The buffer is made once per layer, zeroed; only the image's rows are written into it
        // afterwards, so its padding cells stay zero without clearing them for every image.
        var padded = Ensure(ref _paddedImage, paddedHeight * paddedWidth * channels).AsSpan(0, paddedHeight * paddedWidth * channels);
        for (var y = 0; y < height; y++)
        {
            image.Slice(y * width * channels, width * channels).CopyTo(padded.Slice(y * paddedWidth * channels));
        }
        return padded;
    }

    /// <summary>Bᵀ d B for every 4×4 block of one padded image, into rows <paramref name="firstTile"/>… of the 16 tiles × channels matrices.</summary>
    private void TransformInput(ReadOnlySpan<float> padded, Span<float> inputTiles, int firstTile, int tiles)
    {
        var channels = _geometry.Image.Channels;
        var rowStride = (nuint)((2 * _tilesAcross + 2) * channels);
        var columnStride = (nuint)channels;
        var positionStride = (nuint)(tiles * channels);
        var width = (nuint)Vector<float>.Count;
        ref var source = ref MemoryMarshal.GetReference(padded);
        ref var target = ref MemoryMarshal.GetReference(inputTiles);
        var tile = (nuint)firstTile;
        for (var ty = 0; ty < _tilesDown; ty++)
        {
            for (var tx = 0; tx < _tilesAcross; tx++, tile++)
            {
                var corner = (nuint)(2 * ty) * rowStride + (nuint)(2 * tx) * columnStride;
                for (nuint c = 0; c < (nuint)channels; c += width)
                {
                    // d B on each row (d_r0 − d_r2, d_r1 + d_r2, d_r2 − d_r1, d_r1 − d_r3), then Bᵀ across the rows.
                    var at = corner + c;
                    Row(ref source, at, columnStride, out var e00, out var e01, out var e02, out var e03);
                    Row(ref source, at + rowStride, columnStride, out var e10, out var e11, out var e12, out var e13);
                    Row(ref source, at + 2 * rowStride, columnStride, out var e20, out var e21, out var e22, out var e23);
                    Row(ref source, at + 3 * rowStride, columnStride, out var e30, out var e31, out var e32, out var e33);
                    var to = tile * (nuint)channels + c;
                    Store(ref target, to, positionStride, 0, e00 - e20, e01 - e21, e02 - e22, e03 - e23);
                    Store(ref target, to, positionStride, 4, e10 + e20, e11 + e21, e12 + e22, e13 + e23);
                    Store(ref target, to, positionStride, 8, e20 - e10, e21 - e11, e22 - e12, e23 - e13);
                    Store(ref target, to, positionStride, 12, e10 - e30, e11 - e31, e12 - e32, e13 - e33);
                }
            }
        }
    }

    /// <summary>Aᵀ m A plus the bias for every tile, written where its 2×2 block lies inside the output grid.</summary>
    private void TransformOutput(ReadOnlySpan<float> products, Span<float> output, ReadOnlySpan<float> bias, int batch, int tiles)
    {
        var filters = (nuint)_filters;
        int gridHeight = _geometry.GridHeight, gridWidth = _geometry.GridWidth;
        var positionStride = (nuint)tiles * filters;
        var width = (nuint)Vector<float>.Count;
        ref var source = ref MemoryMarshal.GetReference(products);
        ref var target = ref MemoryMarshal.GetReference(output);
        ref var bias0 = ref MemoryMarshal.GetReference(bias);
        nuint tile = 0;
        for (var b = 0; b < batch; b++)
        {
            var imageBase = (nuint)(b * gridHeight * gridWidth) * filters;
            for (var ty = 0; ty < _tilesDown; ty++)
            {
                for (var tx = 0; tx < _tilesAcross; tx++, tile++)
                {
                    int y = 2 * ty, x = 2 * tx;
                    bool below = y + 1 < gridHeight, right = x + 1 < gridWidth;
                    var corner = imageBase + (nuint)(y * gridWidth + x) * filters;
                    var down = (nuint)gridWidth * filters;
                    for (nuint f = 0; f < filters; f += width)
                    {
                        var from = tile * filters + f;
                        // Aᵀ = [1 1 1 0; 0 1 −1 −1] across the rows, then A on each of the two rows.
                        Row(ref source, from, positionStride, 0, out var m00, out var m01, out var m02, out var m03);
                        Row(ref source, from, positionStride, 4, out var m10, out var m11, out var m12, out var m13);
                        Row(ref source, from, positionStride, 8, out var m20, out var m21, out var m22, out var m23);
                        Row(ref source, from, positionStride, 12, out var m30, out var m31, out var m32, out var m33);
                        Vector<float> u0 = m00 + m10 + m20, u1 = m01 + m11 + m21, u2 = m02 + m12 + m22, u3 = m03 + m13 + m23;
                        Vector<float> v0 = m10 - m20 - m30, v1 = m11 - m21 - m31, v2 = m12 - m22 - m32, v3 = m13 - m23 - m33;
                        var biasLanes = Vector.LoadUnsafe(ref bias0, f);
                        var at = corner + f;
                        (u0 + u1 + u2 + biasLanes).StoreUnsafe(ref target, at);
                        if (right)
                        {
                            (u1 - u2 - u3 + biasLanes).StoreUnsafe(ref target, at + filters);
                        }
                        if (below)
                        {
                            (v0 + v1 + v2 + biasLanes).StoreUnsafe(ref target, at + down);
                            if (right)
                            {
                                (v1 - v2 - v3 + biasLanes).StoreUnsafe(ref target, at + down + filters);
                            }
                        }
                    }
                }
            }
        }
    }

    /// <summary>One row of an input block times B: its four values at <paramref name="at"/> and three column steps on, combined.</summary>
    private static void Row(ref float source, nuint at, nuint columnStride, out Vector<float> e0, out Vector<float> e1, out Vector<float> e2, out Vector<float> e3)
    {
        var d0 = Vector.LoadUnsafe(ref source, at);
        var d1 = Vector.LoadUnsafe(ref source, at + columnStride);
        var d2 = Vector.LoadUnsafe(ref source, at + 2 * columnStride);
        var d3 = Vector.LoadUnsafe(ref source, at + 3 * columnStride);
        e0 = d0 - d2;
        e1 = d1 + d2;
        e2 = d2 - d1;
        e3 = d1 - d3;
    }

    /// <summary>Four consecutive positions (<paramref name="first"/>…) of one tile's products.</summary>
    private static void Row(ref float source, nuint from, nuint positionStride, int first, out Vector<float> m0, out Vector<float> m1, out Vector<float> m2, out Vector<float> m3)
    {
        var at = from + (nuint)first * positionStride;
        m0 = Vector.LoadUnsafe(ref source, at);
        m1 = Vector.LoadUnsafe(ref source, at + positionStride);
        m2 = Vector.LoadUnsafe(ref source, at + 2 * positionStride);
        m3 = Vector.LoadUnsafe(ref source, at + 3 * positionStride);
    }

    /// <summary>Writes four transformed values to positions <paramref name="first"/>… of one tile's row in the 16 matrices.</summary>
    private static void Store(ref float target, nuint to, nuint positionStride, int first, Vector<float> v0, Vector<float> v1, Vector<float> v2, Vector<float> v3)
    {
        var at = to + (nuint)first * positionStride;
        v0.StoreUnsafe(ref target, at);
        v1.StoreUnsafe(ref target, at + positionStride);
        v2.StoreUnsafe(ref target, at + 2 * positionStride);
        v3.StoreUnsafe(ref target, at + 3 * positionStride);
    }

    private static float[] Ensure(ref float[] buffer, int length)
    {
        if (buffer.Length < length)
        {
            buffer = new float[length];
        }
        return buffer;
    }
}
