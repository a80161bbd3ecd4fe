using System.Numerics;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;

namespace Distributed.Ml.Numerics;

/// <summary>
/// C (m×n) = A (m×k) · B (k×n) + bias on row-major buffers, on the calling thread: the product of a
/// network's inference on one image at a time, where the matrices are small (a convolution over one
/// 13×13 map is 121×288 by 288×64) and OpenBLAS's worker threads, woken and spinning for every such
/// product, cost the server more CPU than the arithmetic.
/// </summary>
/// <remarks>
/// Each element is bias[j] + Σ_p a[i,p]·b[p,j], summed in p order with fused multiply-adds, lanes
/// across j: the same operations whatever m, the row blocking or the vector width (the scalar tail
/// uses the same fused multiply-add), so a row's result does not depend on the rows computed with
/// it. Register blocking: 4 rows × 2 vectors of columns (4 × 4 with 512-bit vectors and 64 columns
/// to go), so each load of B feeds four rows.
/// </remarks>
internal static partial class InferenceGemm
{
    private const int RowBlock = 4;

    /// <summary>Computes <paramref name="c"/> = <paramref name="a"/> · <paramref name="b"/> + <paramref name="bias"/> (added to every row).</summary>
    /// <exception cref="ArgumentException">An operand is shorter than its shape, or <paramref name="bias"/> is not <paramref name="n"/> long.</exception>
    public static void MultiplyAddBias(ReadOnlySpan<float> a, int m, int k, ReadOnlySpan<float> b, int n, ReadOnlySpan<float> bias, Span<float> c)
    {
        CheckShapes(a.Length, m, k, b.Length, n, bias.Length, c.Length);
        Multiply(a, new DenseRows(k), m, b, n, bias, c);
    }

    /// <summary>
    /// Computes <paramref name="c"/> = A · <paramref name="b"/> + <paramref name="bias"/>, where row i of
    /// A is read from <paramref name="a"/> where <paramref name="rows"/> places it: a convolution's
    /// patches read in place from the image, without copying them into a patch matrix first. Every
    /// element comes out the same to the bit as <see cref="MultiplyAddBias"/> on the gathered rows.
    /// </summary>
    /// <exception cref="ArgumentException">A row lies outside <paramref name="a"/>, an operand is shorter than its shape, or <paramref name="bias"/> is not <paramref name="n"/> long.</exception>
    public static void MultiplyGatheredAddBias<TRows>(ReadOnlySpan<float> a, in TRows rows, int m, ReadOnlySpan<float> b, int n, ReadOnlySpan<float> bias, Span<float> c)
        where TRows : struct, IRowLayout
    {
        var k = rows.Segments * rows.SegmentLength;
        // A is not m·k contiguous values here: its reach is checked below instead.
        CheckShapes(int.MaxValue, m, k, b.Length, n, bias.Length, c.Length);
        // Row starts grow with the row index, so the last row reaches furthest.
        if (m > 0 && (long)rows.RowStart(m - 1) + (long)(rows.Segments - 1) * (long)rows.SegmentStride + rows.SegmentLength > a.Length)
        {
            throw new ArgumentException($"Row {m - 1} of the gathered operand lies past its {a.Length} values.", nameof(a));
        }
        Multiply(a, rows, m, b, n, bias, c);
    }

    private static void Multiply<TRows>(ReadOnlySpan<float> a, in TRows rows, int m, ReadOnlySpan<float> b, int n, ReadOnlySpan<float> bias, Span<float> c)
        where TRows : struct, IRowLayout
    {
        ref var a0 = ref MemoryMarshal.GetReference(a);
        ref var b0 = ref MemoryMarshal.GetReference(b);
        ref var c0 = ref MemoryMarshal.GetReference(c);
        ref var bias0 = ref MemoryMarshal.GetReference(bias);
        var width = Vector<float>.Count;
        // Where the hardware has 512-bit vectors (Vector<float> stays 256 bits wide by default),
        // blocks of 32 columns first: twice the multiply-adds per instruction on cores with a full
        // 512-bit datapath, and the same operations per element (lanes run across columns).
        var wide = Vector512.IsHardwareAccelerated ? 2 * Vector512<float>.Count : int.MaxValue;
        var i = 0;
        for (; i + RowBlock <= m; i += RowBlock)
        {
            var j = 0;
            // 64 columns at a time where they fit (a Winograd product's 64 filters): sixteen
            // accumulators, so each broadcast of A feeds four multiply-adds and each load of B four
            // rows; the second convolution's products took 12.0 µs an image against 13.8 µs in
            // blocks of 32 columns.
            for (; j + 2 * wide <= n; j += 2 * wide)
            {
                FourRowsFourWideVectors(ref a0, rows, i, ref b0, n, j, ref bias0, ref c0);
            }
            for (; j + wide <= n; j += wide)
            {
                FourRowsTwoWideVectors(ref a0, rows, i, ref b0, n, j, ref bias0, ref c0);
            }
            for (; j + 2 * width <= n; j += 2 * width)
            {
                FourRowsTwoVectors(ref a0, rows, i, ref b0, n, j, ref bias0, ref c0);
            }
            for (; j + width <= n; j += width)
            {
                for (var r = 0; r < RowBlock; r++)
                {
                    OneRowOneVector(ref a0, rows, i + r, ref b0, n, j, ref bias0, ref c0);
                }
            }
            // Only when columns are left: the calls alone, four per block of rows with nothing to
            // do, were 2% of a served batch's CPU.
            for (var r = 0; j < n && r < RowBlock; r++)
            {
                ScalarTail(ref a0, rows, i + r, ref b0, n, j, ref bias0, ref c0);
            }
        }
        for (; i < m; i++)
        {
            var j = 0;
            for (; j + width <= n; j += width)
            {
                OneRowOneVector(ref a0, rows, i, ref b0, n, j, ref bias0, ref c0);
            }
            if (j < n)
            {
                ScalarTail(ref a0, rows, i, ref b0, n, j, ref bias0, ref c0);
            }
        }
    }

    private static void FourRowsTwoVectors<TRows>(ref float a0, in TRows rows, int i, ref float b0, int n, int j, ref float bias0, ref float c0)
        where TRows : struct, IRowLayout
    {
        var width = (nuint)Vector<float>.Count;
        var column = (nuint)j;
        var low = Vector.LoadUnsafe(ref bias0, column);
        var high = Vector.LoadUnsafe(ref bias0, column + width);
        Vector<float> r0Low = low, r0High = high, r1Low = low, r1High = high, r2Low = low, r2High = high, r3Low = low, r3High = high;
        nuint start0 = rows.RowStart(i), start1 = rows.RowStart(i + 1), start2 = rows.RowStart(i + 2), start3 = rows.RowStart(i + 3);
        var length = (nuint)rows.SegmentLength;
        var segmentStride = rows.SegmentStride;
        nuint p = 0;
        for (nuint segment = 0; segment < (nuint)rows.Segments; segment++)
        {
            var offset = segment * segmentStride;
            for (nuint q = offset; q < offset + length; q++, p++)
            {
                var bRow = p * (nuint)n + column;
                var bLow = Vector.LoadUnsafe(ref b0, bRow);
                var bHigh = Vector.LoadUnsafe(ref b0, bRow + width);
                var a0p = new Vector<float>(Unsafe(ref a0, start0 + q));
                var a1p = new Vector<float>(Unsafe(ref a0, start1 + q));
                var a2p = new Vector<float>(Unsafe(ref a0, start2 + q));
                var a3p = new Vector<float>(Unsafe(ref a0, start3 + q));
                r0Low = Vector.FusedMultiplyAdd(a0p, bLow, r0Low);
                r0High = Vector.FusedMultiplyAdd(a0p, bHigh, r0High);
                r1Low = Vector.FusedMultiplyAdd(a1p, bLow, r1Low);
                r1High = Vector.FusedMultiplyAdd(a1p, bHigh, r1High);
                r2Low = Vector.FusedMultiplyAdd(a2p, bLow, r2Low);
                r2High = Vector.FusedMultiplyAdd(a2p, bHigh, r2High);
                r3Low = Vector.FusedMultiplyAdd(a3p, bLow, r3Low);
                r3High = Vector.FusedMultiplyAdd(a3p, bHigh, r3High);
            }
        }
        var c = (nuint)i * (nuint)n + column;
        var rowStride = (nuint)n;
        r0Low.StoreUnsafe(ref c0, c);
        r0High.StoreUnsafe(ref c0, c + width);
        r1Low.StoreUnsafe(ref c0, c + rowStride);
        r1High.StoreUnsafe(ref c0, c + rowStride + width);
        r2Low.StoreUnsafe(ref c0, c + 2 * rowStride);
        r2High.StoreUnsafe(ref c0, c + 2 * rowStride + width);
        r3Low.StoreUnsafe(ref c0, c + 3 * rowStride);
        r3High.StoreUnsafe(ref c0, c + 3 * rowStride + width);
    }

    /// <summary><see cref="FourRowsTwoVectors"/> with 512-bit vectors.</summary>
    private static void FourRowsTwoWideVectors<TRows>(ref float a0, in TRows rows, int i, ref float b0, int n, int j, ref float bias0, ref float c0)
        where TRows : struct, IRowLayout
    {
        var width = (nuint)Vector512<float>.Count;
        var column = (nuint)j;
        var low = Vector512.LoadUnsafe(ref bias0, column);
        var high = Vector512.LoadUnsafe(ref bias0, column + width);
        Vector512<float> r0Low = low, r0High = high, r1Low = low, r1High = high, r2Low = low, r2High = high, r3Low = low, r3High = high;
        nuint start0 = rows.RowStart(i), start1 = rows.RowStart(i + 1), start2 = rows.RowStart(i + 2), start3 = rows.RowStart(i + 3);
        var length = (nuint)rows.SegmentLength;
        var segmentStride = rows.SegmentStride;
        nuint p = 0;
        for (nuint segment = 0; segment < (nuint)rows.Segments; segment++)
        {
            var offset = segment * segmentStride;
            for (nuint q = offset; q < offset + length; q++, p++)
            {
                var bRow = p * (nuint)n + column;
                var bLow = Vector512.LoadUnsafe(ref b0, bRow);
                var bHigh = Vector512.LoadUnsafe(ref b0, bRow + width);
                var a0p = Vector512.Create(Unsafe(ref a0, start0 + q));
                var a1p = Vector512.Create(Unsafe(ref a0, start1 + q));
                var a2p = Vector512.Create(Unsafe(ref a0, start2 + q));
                var a3p = Vector512.Create(Unsafe(ref a0, start3 + q));
                r0Low = Vector512.FusedMultiplyAdd(a0p, bLow, r0Low);
                r0High = Vector512.FusedMultiplyAdd(a0p, bHigh, r0High);
                r1Low = Vector512.FusedMultiplyAdd(a1p, bLow, r1Low);
                r1High = Vector512.FusedMultiplyAdd(a1p, bHigh, r1High);
                r2Low = Vector512.FusedMultiplyAdd(a2p, bLow, r2Low);
                r2High = Vector512.FusedMultiplyAdd(a2p, bHigh, r2High);
                r3Low = Vector512.FusedMultiplyAdd(a3p, bLow, r3Low);
                r3High = Vector512.FusedMultiplyAdd(a3p, bHigh, r3High);
            }
        }
        var c = (nuint)i * (nuint)n + column;
        var rowStride = (nuint)n;
        r0Low.StoreUnsafe(ref c0, c);
        r0High.StoreUnsafe(ref c0, c + width);
        r1Low.StoreUnsafe(ref c0, c + rowStride);
        r1High.StoreUnsafe(ref c0, c + rowStride + width);
        r2Low.StoreUnsafe(ref c0, c + 2 * rowStride);
        r2High.StoreUnsafe(ref c0, c + 2 * rowStride + width);
        r3Low.StoreUnsafe(ref c0, c + 3 * rowStride);
        r3High.StoreUnsafe(ref c0, c + 3 * rowStride + width);
    }

    /// <summary><see cref="FourRowsTwoWideVectors"/> over four 512-bit vectors of columns.</summary>
    private static void FourRowsFourWideVectors<TRows>(ref float a0, in TRows rows, int i, ref float b0, int n, int j, ref float bias0, ref float c0)
        where TRows : struct, IRowLayout
    {
        var width = (nuint)Vector512<float>.Count;
        var column = (nuint)j;
        var bias0Lanes = Vector512.LoadUnsafe(ref bias0, column);
        var bias1Lanes = Vector512.LoadUnsafe(ref bias0, column + width);
        var bias2Lanes = Vector512.LoadUnsafe(ref bias0, column + 2 * width);
        var bias3Lanes = Vector512.LoadUnsafe(ref bias0, column + 3 * width);
        Vector512<float> r00 = bias0Lanes, r01 = bias1Lanes, r02 = bias2Lanes, r03 = bias3Lanes;
        Vector512<float> r10 = bias0Lanes, r11 = bias1Lanes, r12 = bias2Lanes, r13 = bias3Lanes;
        Vector512<float> r20 = bias0Lanes, r21 = bias1Lanes, r22 = bias2Lanes, r23 = bias3Lanes;
        Vector512<float> r30 = bias0Lanes, r31 = bias1Lanes, r32 = bias2Lanes, r33 = bias3Lanes;
        nuint start0 = rows.RowStart(i), start1 = rows.RowStart(i + 1), start2 = rows.RowStart(i + 2), start3 = rows.RowStart(i + 3);
        var length = (nuint)rows.SegmentLength;
        var segmentStride = rows.SegmentStride;
        nuint p = 0;
        for (nuint segment = 0; segment < (nuint)rows.Segments; segment++)
        {
            var offset = segment * segmentStride;
            for (nuint q = offset; q < offset + length; q++, p++)
            {
                var bRow = p * (nuint)n + column;
                var b0Lanes = Vector512.LoadUnsafe(ref b0, bRow);
                var b1Lanes = Vector512.LoadUnsafe(ref b0, bRow + width);
                var b2Lanes = Vector512.LoadUnsafe(ref b0, bRow + 2 * width);
                var b3Lanes = Vector512.LoadUnsafe(ref b0, bRow + 3 * width);
                var a = Vector512.Create(Unsafe(ref a0, start0 + q));
                r00 = Vector512.FusedMultiplyAdd(a, b0Lanes, r00);
                r01 = Vector512.FusedMultiplyAdd(a, b1Lanes, r01);
                r02 = Vector512.FusedMultiplyAdd(a, b2Lanes, r02);
                r03 = Vector512.FusedMultiplyAdd(a, b3Lanes, r03);
                a = Vector512.Create(Unsafe(ref a0, start1 + q));
                r10 = Vector512.FusedMultiplyAdd(a, b0Lanes, r10);
                r11 = Vector512.FusedMultiplyAdd(a, b1Lanes, r11);
                r12 = Vector512.FusedMultiplyAdd(a, b2Lanes, r12);
                r13 = Vector512.FusedMultiplyAdd(a, b3Lanes, r13);
                a = Vector512.Create(Unsafe(ref a0, start2 + q));
                r20 = Vector512.FusedMultiplyAdd(a, b0Lanes, r20);
                r21 = Vector512.FusedMultiplyAdd(a, b1Lanes, r21);
                r22 = Vector512.FusedMultiplyAdd(a, b2Lanes, r22);
                r23 = Vector512.FusedMultiplyAdd(a, b3Lanes, r23);
                a = Vector512.Create(Unsafe(ref a0, start3 + q));
                r30 = Vector512.FusedMultiplyAdd(a, b0Lanes, r30);
                r31 = Vector512.FusedMultiplyAdd(a, b1Lanes, r31);
                r32 = Vector512.FusedMultiplyAdd(a, b2Lanes, r32);
                r33 = Vector512.FusedMultiplyAdd(a, b3Lanes, r33);
            }
        }
        var c = (nuint)i * (nuint)n + column;
        var rowStride = (nuint)n;
        StoreFour(ref c0, c, width, r00, r01, r02, r03);
        StoreFour(ref c0, c + rowStride, width, r10, r11, r12, r13);
        StoreFour(ref c0, c + 2 * rowStride, width, r20, r21, r22, r23);
        StoreFour(ref c0, c + 3 * rowStride, width, r30, r31, r32, r33);
    }

    /// <summary>Four 512-bit vectors to consecutive places from <paramref name="at"/>.</summary>
    private static void StoreFour(ref float c0, nuint at, nuint width, Vector512<float> v0, Vector512<float> v1, Vector512<float> v2, Vector512<float> v3)
    {
        v0.StoreUnsafe(ref c0, at);
        v1.StoreUnsafe(ref c0, at + width);
        v2.StoreUnsafe(ref c0, at + 2 * width);
        v3.StoreUnsafe(ref c0, at + 3 * width);
    }

    private static void OneRowOneVector<TRows>(ref float a0, in TRows rows, int i, ref float b0, int n, int j, ref float bias0, ref float c0)
        where TRows : struct, IRowLayout
    {
        var column = (nuint)j;
        var sum = Vector.LoadUnsafe(ref bias0, column);
        var start = rows.RowStart(i);
        var length = (nuint)rows.SegmentLength;
        nuint p = 0;
        for (nuint segment = 0; segment < (nuint)rows.Segments; segment++)
        {
            var offset = start + segment * rows.SegmentStride;
            for (var q = offset; q < offset + length; q++, p++)
            {
                sum = Vector.FusedMultiplyAdd(new Vector<float>(Unsafe(ref a0, q)), Vector.LoadUnsafe(ref b0, p * (nuint)n + column), sum);
            }
        }
        sum.StoreUnsafe(ref c0, (nuint)i * (nuint)n + column);
    }

    /// <summary>Columns from <paramref name="j"/> to the end of row <paramref name="i"/>, one at a time, with the lanes' operations.</summary>
    private static void ScalarTail<TRows>(ref float a0, in TRows rows, int i, ref float b0, int n, int j, ref float bias0, ref float c0)
        where TRows : struct, IRowLayout
    {
        var start = rows.RowStart(i);
        var length = (nuint)rows.SegmentLength;
        for (var column = (nuint)j; column < (nuint)n; column++)
        {
            var sum = Unsafe(ref bias0, column);
            nuint p = 0;
            for (nuint segment = 0; segment < (nuint)rows.Segments; segment++)
            {
                var offset = start + segment * rows.SegmentStride;
                for (var q = offset; q < offset + length; q++, p++)
                {
                    sum = MathF.FusedMultiplyAdd(Unsafe(ref a0, q), Unsafe(ref b0, p * (nuint)n + column), sum);
                }
            }
            Unsafe(ref c0, (nuint)i * (nuint)n + column) = sum;
        }
    }

    /// <summary>A row-major m×k matrix: one run of k values per row.</summary>
    private readonly struct DenseRows(int k) : IRowLayout
    {
        public nuint RowStart(int row) => (nuint)row * (nuint)k;

        public int Segments => 1;

        public int SegmentLength => k;

        public nuint SegmentStride => 0;
    }

    /// <summary>Both products read m×k of A, k·n values of the other operand and n of the bias, and write m×n.</summary>
    private static void CheckShapes(int aLength, int m, int k, int bLength, int n, int biasLength, int cLength)
    {
        ArgumentOutOfRangeException.ThrowIfNegative(m);
        ArgumentOutOfRangeException.ThrowIfNegative(k);
        ArgumentOutOfRangeException.ThrowIfNegative(n);
        if (aLength < (long)m * k || bLength < (long)k * n || cLength < (long)m * n || biasLength != n)
        {
            throw new ArgumentException($"Operands too small for {m}×{k} times {k}×{n} (a {aLength}, b {bLength}, c {cLength}, bias {biasLength}).");
        }
    }

    private static ref float Unsafe(ref float origin, nuint offset) => ref System.Runtime.CompilerServices.Unsafe.Add(ref origin, offset);
}
