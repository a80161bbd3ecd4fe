using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;

namespace Distributed.Ml.Clustering;

/// <summary>
/// A few centres laid out for the distance kernels: transposed (dimension-major, <c>d × Lanes</c>)
/// and padded to whole vectors, so one broadcast of x_j times one vector load covers
/// <see cref="Vector{T}.Count"/> centres at once. That suits k-means's small k, where a GEMM or a
/// dot product per (row, centre) pair spends most of its time on overhead.
/// </summary>
/// <remarks>
/// Every lane sums its terms in dimension order with a separate multiply and add (never fused), so
/// each result is exactly the plain sequential float loop, whatever the vector width or hardware:
/// a scalar reference reproduces it bit for bit. Four rows go through together so that the
/// additions of independent chains overlap instead of waiting on each other's latency.
/// </remarks>
internal sealed class PackedCentres
{
    private const int RowsPerPass = 4;
    private readonly float[] _transposed;
    private readonly float[] _norms;

    /// <summary>Packs k centres of dimension d (row-major k×d).</summary>
    public PackedCentres(ReadOnlySpan<float> centres, int count, int dimension)
    {
        Count = count;
        Dimension = dimension;
        Lanes = (count + Vector<float>.Count - 1) / Vector<float>.Count * Vector<float>.Count;
        _transposed = new float[dimension * Lanes];
        // Padding lanes get an infinite norm, so their distance is +∞ and never the minimum.
        _norms = new float[Lanes];
        _norms.AsSpan().Fill(float.PositiveInfinity);
        Update(centres);
    }

    /// <summary>Number of real centres.</summary>
    public int Count { get; }

    /// <summary>Dimension of the centres.</summary>
    public int Dimension { get; }

    /// <summary>Centres rounded up to whole vectors: the stride of one row's results.</summary>
    public int Lanes { get; }

    /// <summary>Squared norm of each centre, as <see cref="NearestCentre.RowSquaredNorms"/> computes it.</summary>
    public ReadOnlySpan<float> Norms => _norms.AsSpan(0, Count);

    /// <summary>Repacks new centre values of the same shape (no allocation).</summary>
    public void Update(ReadOnlySpan<float> centres)
    {
        var d = Dimension;
        if (centres.Length != Count * d)
        {
            throw new ArgumentException($"{Count}×{d} centres need {Count * d} values.", nameof(centres));
        }
        for (var c = 0; c < Count; c++)
        {
            var centre = centres.Slice(c * d, d);
            _norms[c] = NearestCentre.SquaredNorm(centre);
            for (var j = 0; j < d; j++)
            {
                _transposed[j * Lanes + c] = centre[j];
            }
        }
    }

    /// <summary>Replaces the centre norms by the caller's (public APIs that take them as an argument).</summary>
    public void UseNorms(ReadOnlySpan<float> norms)
    {
        if (norms.Length != Count)
        {
            throw new ArgumentException($"{Count} centres need {Count} norms.", nameof(norms));
        }
        norms.CopyTo(_norms);
    }

    /// <summary>
    /// Squared distance of each listed row of <paramref name="data"/> (row-major, <see cref="Dimension"/>
    /// columns) to every centre, as ‖x‖² − 2x·c + ‖c‖² in float (not clamped): destination[r·Lanes + c]
    /// for row rows[r], whose squared norm is rowNorms[r]. Padding lanes get +∞.
    /// </summary>
    public void SquaredDistances(float[] data, ReadOnlySpan<int> rows, ReadOnlySpan<float> rowNorms, Span<float> destination)
    {
        CheckArguments(data, rows, destination);
        if (rowNorms.Length < rows.Length)
        {
            throw new ArgumentException("One norm per row is needed.", nameof(rowNorms));
        }
        var r = 0;
        for (; r + RowsPerPass <= rows.Length; r += RowsPerPass)
        {
            ExpandedFour(data, rows.Slice(r, RowsPerPass), rowNorms.Slice(r, RowsPerPass), destination.Slice(r * Lanes, RowsPerPass * Lanes));
        }
        for (; r < rows.Length; r++)
        {
            ExpandedOne(data, rows[r], rowNorms[r], destination.Slice(r * Lanes, Lanes));
        }
    }

    /// <summary>
    /// Squared distance of each listed row to every centre as Σ_j (x_j − c_j)² in float, summed in
    /// dimension order: exact zero for a row equal to a centre (k-means++ relies on that).
    /// destination[r·Lanes + c] for row rows[r]; padding lanes hold the distance to a zero centre.
    /// </summary>
    public void DirectSquaredDistances(float[] data, ReadOnlySpan<int> rows, Span<float> destination)
    {
        CheckArguments(data, rows, destination);
        var r = 0;
        for (; r + RowsPerPass <= rows.Length; r += RowsPerPass)
        {
            DirectFour(data, rows.Slice(r, RowsPerPass), destination.Slice(r * Lanes, RowsPerPass * Lanes));
        }
        for (; r < rows.Length; r++)
        {
            DirectOne(data, rows[r], destination.Slice(r * Lanes, Lanes));
        }
    }

    // The kernels below are compiled fully optimised from the first call: tier-0 code is several
    // times slower, and a fit can be over before tiering catches up. They index with Unsafe.Add:
    // CheckArguments has validated every row and the destination length, and the packed table is
    // exactly Dimension × Lanes.
    private void CheckArguments(float[] data, ReadOnlySpan<int> rows, Span<float> destination)
    {
        ArgumentNullException.ThrowIfNull(data);
        var maxRow = data.Length / Dimension;
        foreach (var row in rows)
        {
            if ((uint)row >= (uint)maxRow)
            {
                throw new ArgumentOutOfRangeException(nameof(rows), $"Row {row} is outside the {maxRow} rows of the data.");
            }
        }
        if (destination.Length < rows.Length * Lanes)
        {
            throw new ArgumentException($"{rows.Length} rows need {rows.Length * Lanes} values.", nameof(destination));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ExpandedFour(float[] data, ReadOnlySpan<int> rows, ReadOnlySpan<float> rowNorms, Span<float> destination)
    {
        var d = Dimension;
        var lanes = Lanes;
        var width = Vector<float>.Count;
        ref var x = ref MemoryMarshal.GetArrayDataReference(data);
        ref var x0 = ref Unsafe.Add(ref x, (nint)rows[0] * d);
        ref var x1 = ref Unsafe.Add(ref x, (nint)rows[1] * d);
        ref var x2 = ref Unsafe.Add(ref x, (nint)rows[2] * d);
        ref var x3 = ref Unsafe.Add(ref x, (nint)rows[3] * d);
        ref var output = ref MemoryMarshal.GetReference(destination);
        var two = new Vector<float>(2f);
        var n0 = new Vector<float>(rowNorms[0]);
        var n1 = new Vector<float>(rowNorms[1]);
        var n2 = new Vector<float>(rowNorms[2]);
        var n3 = new Vector<float>(rowNorms[3]);
        var lane = 0;
        // Two vectors of centres per pass while they last: each x_j broadcast serves both.
        for (; lane + 2 * width <= lanes; lane += 2 * width)
        {
            ref var column = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_transposed), lane);
            Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
            Vector<float> b0 = default, b1 = default, b2 = default, b3 = default;
            for (var j = 0; j < d; j++)
            {
                var c = Vector.LoadUnsafe(ref column);
                var e = Vector.LoadUnsafe(ref column, (nuint)width);
                column = ref Unsafe.Add(ref column, lanes);
                var v0 = new Vector<float>(Unsafe.Add(ref x0, j));
                var v1 = new Vector<float>(Unsafe.Add(ref x1, j));
                var v2 = new Vector<float>(Unsafe.Add(ref x2, j));
                var v3 = new Vector<float>(Unsafe.Add(ref x3, j));
                a0 += v0 * c;
                b0 += v0 * e;
                a1 += v1 * c;
                b1 += v1 * e;
                a2 += v2 * c;
                b2 += v2 * e;
                a3 += v3 * c;
                b3 += v3 * e;
            }
            var norms = Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(_norms), (nuint)lane);
            var more = Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(_norms), (nuint)(lane + width));
            // Same evaluation order as the scalar rowNorm − 2f·dot + centreNorm.
            Vector.StoreUnsafe(n0 - two * a0 + norms, ref output, (nuint)lane);
            Vector.StoreUnsafe(n0 - two * b0 + more, ref output, (nuint)(lane + width));
            Vector.StoreUnsafe(n1 - two * a1 + norms, ref output, (nuint)(lanes + lane));
            Vector.StoreUnsafe(n1 - two * b1 + more, ref output, (nuint)(lanes + lane + width));
            Vector.StoreUnsafe(n2 - two * a2 + norms, ref output, (nuint)(2 * lanes + lane));
            Vector.StoreUnsafe(n2 - two * b2 + more, ref output, (nuint)(2 * lanes + lane + width));
            Vector.StoreUnsafe(n3 - two * a3 + norms, ref output, (nuint)(3 * lanes + lane));
            Vector.StoreUnsafe(n3 - two * b3 + more, ref output, (nuint)(3 * lanes + lane + width));
        }
        for (; lane < lanes; lane += width)
        {
            ref var column = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_transposed), lane);
            Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (var j = 0; j < d; j++)
            {
                var c = Vector.LoadUnsafe(ref column);
                column = ref Unsafe.Add(ref column, lanes);
                a0 += new Vector<float>(Unsafe.Add(ref x0, j)) * c;
                a1 += new Vector<float>(Unsafe.Add(ref x1, j)) * c;
                a2 += new Vector<float>(Unsafe.Add(ref x2, j)) * c;
                a3 += new Vector<float>(Unsafe.Add(ref x3, j)) * c;
            }
            var norms = Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(_norms), (nuint)lane);
            Vector.StoreUnsafe(n0 - two * a0 + norms, ref output, (nuint)lane);
            Vector.StoreUnsafe(n1 - two * a1 + norms, ref output, (nuint)(lanes + lane));
            Vector.StoreUnsafe(n2 - two * a2 + norms, ref output, (nuint)(2 * lanes + lane));
            Vector.StoreUnsafe(n3 - two * a3 + norms, ref output, (nuint)(3 * lanes + lane));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void ExpandedOne(float[] data, int row, float rowNorm, Span<float> destination)
    {
        var d = Dimension;
        var lanes = Lanes;
        ref var x0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(data), (nint)row * d);
        ref var output = ref MemoryMarshal.GetReference(destination);
        for (var lane = 0; lane < lanes; lane += Vector<float>.Count)
        {
            ref var column = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_transposed), lane);
            var a0 = Vector<float>.Zero;
            for (var j = 0; j < d; j++)
            {
                a0 += new Vector<float>(Unsafe.Add(ref x0, j)) * Vector.LoadUnsafe(ref column);
                column = ref Unsafe.Add(ref column, lanes);
            }
            var norms = Vector.LoadUnsafe(ref MemoryMarshal.GetArrayDataReference(_norms), (nuint)lane);
            Vector.StoreUnsafe(new Vector<float>(rowNorm) - new Vector<float>(2f) * a0 + norms, ref output, (nuint)lane);
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DirectFour(float[] data, ReadOnlySpan<int> rows, Span<float> destination)
    {
        var d = Dimension;
        var lanes = Lanes;
        ref var x = ref MemoryMarshal.GetArrayDataReference(data);
        ref var x0 = ref Unsafe.Add(ref x, (nint)rows[0] * d);
        ref var x1 = ref Unsafe.Add(ref x, (nint)rows[1] * d);
        ref var x2 = ref Unsafe.Add(ref x, (nint)rows[2] * d);
        ref var x3 = ref Unsafe.Add(ref x, (nint)rows[3] * d);
        ref var output = ref MemoryMarshal.GetReference(destination);
        for (var lane = 0; lane < lanes; lane += Vector<float>.Count)
        {
            ref var column = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_transposed), lane);
            Vector<float> a0 = default, a1 = default, a2 = default, a3 = default;
            for (var j = 0; j < d; j++)
            {
                var c = Vector.LoadUnsafe(ref column);
                column = ref Unsafe.Add(ref column, lanes);
                var e0 = new Vector<float>(Unsafe.Add(ref x0, j)) - c;
                var e1 = new Vector<float>(Unsafe.Add(ref x1, j)) - c;
                var e2 = new Vector<float>(Unsafe.Add(ref x2, j)) - c;
                var e3 = new Vector<float>(Unsafe.Add(ref x3, j)) - c;
                a0 += e0 * e0;
                a1 += e1 * e1;
                a2 += e2 * e2;
                a3 += e3 * e3;
            }
            Vector.StoreUnsafe(a0, ref output, (nuint)lane);
            Vector.StoreUnsafe(a1, ref output, (nuint)(lanes + lane));
            Vector.StoreUnsafe(a2, ref output, (nuint)(2 * lanes + lane));
            Vector.StoreUnsafe(a3, ref output, (nuint)(3 * lanes + lane));
        }
    }

    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private void DirectOne(float[] data, int row, Span<float> destination)
    {
        var d = Dimension;
        var lanes = Lanes;
        ref var x0 = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(data), (nint)row * d);
        ref var output = ref MemoryMarshal.GetReference(destination);
        for (var lane = 0; lane < lanes; lane += Vector<float>.Count)
        {
            ref var column = ref Unsafe.Add(ref MemoryMarshal.GetArrayDataReference(_transposed), lane);
            var a0 = Vector<float>.Zero;
            for (var j = 0; j < d; j++)
            {
                var e0 = new Vector<float>(Unsafe.Add(ref x0, j)) - Vector.LoadUnsafe(ref column);
                column = ref Unsafe.Add(ref column, lanes);
                a0 += e0 * e0;
            }
            Vector.StoreUnsafe(a0, ref output, (nuint)lane);
        }
    }
}
