using System.Numerics;
using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// Assigns rows to their nearest centre by squared Euclidean distance, computed as
/// ‖x‖² − 2x·c + ‖c‖² (clamped at 0 against rounding), ties to the lower centre index.
/// </summary>
/// <remarks>
/// The dot products come from <see cref="PackedCentres"/>: each is the sequential float sum over
/// the dimensions, so the distances do not depend on the vector width of the machine.
/// </remarks>
public static class NearestCentre
{
    /// <summary>Rows per parallel work item: fixed, so results do not depend on the thread count.</summary>
    public const int BlockRows = 2048;

    // Rows handed to the kernel at once: their indices, norms and distances live on the stack.
    private const int ChunkRows = 64;
    private const int StackFloats = 4096;

    /// <summary>Squared norm of every row of a row-major buffer (see <see cref="SquaredNorm"/>).</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static float[] RowSquaredNorms(ReadOnlySpan<float> rows, int count, int dimension)
    {
        var norms = new float[count];
        for (var i = 0; i < count; i++)
        {
            norms[i] = SquaredNorm(rows.Slice(i * dimension, dimension));
        }
        return norms;
    }

    /// <summary>
    /// Σ x_j² in float in a fixed order: eight running sums (j mod 8) over the whole multiples of
    /// 8, folded as ((s0+s4) + (s2+s6)) + ((s1+s5) + (s3+s7)), then the remaining terms in order.
    /// The same on every machine (Vector256 without hardware support computes the same lanes), and
    /// compiled in rather than called, unlike TensorPrimitives.Dot, which starts out unoptimised.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    public static float SquaredNorm(ReadOnlySpan<float> row)
    {
        var lanes = Vector256<float>.Zero;
        var j = 0;
        for (; j + Vector256<float>.Count <= row.Length; j += Vector256<float>.Count)
        {
            var v = Vector256.Create(row[j..]);
            lanes += v * v;
        }
        var quarter = lanes.GetLower() + lanes.GetUpper();
        var sum = (quarter.GetElement(0) + quarter.GetElement(2)) + (quarter.GetElement(1) + quarter.GetElement(3));
        for (; j < row.Length; j++)
        {
            sum += row[j] * row[j];
        }
        return sum;
    }

    /// <summary>
    /// Nearest centre for rows [start, start+count) of <paramref name="data"/>; writes labels and
    /// squared distances at the same offsets relative to <paramref name="start"/>.
    /// </summary>
    public static void AssignBlock(Matrix data, int start, int count, ReadOnlySpan<float> centres, ReadOnlySpan<float> centreNorms,
        Span<int> labels, Span<float> squaredDistances)
    {
        ArgumentNullException.ThrowIfNull(data);
        var packed = new PackedCentres(centres, centreNorms.Length, data.Cols);
        packed.UseNorms(centreNorms);
        AssignRows(data, start, count, packed, labels, squaredDistances);
    }

    /// <summary>Nearest centre for every row, in parallel blocks. Returns the inertia (sum of squared distances).</summary>
    public static double Assign(Matrix data, float[] centres, int k, int[] labels, float[] squaredDistances) =>
        Assign(data, centres, k, labels, squaredDistances, parallel: true);

    /// <summary>
    /// <see cref="Assign(Matrix, float[], int, int[], float[])"/>, with the blocks run in parallel
    /// or one after the other (callers already running in parallel); the result is the same.
    /// </summary>
    internal static double Assign(Matrix data, float[] centres, int k, int[] labels, float[] squaredDistances, bool parallel) =>
        Assign(data, centres, k, labels, squaredDistances, parallel, null);

    /// <summary>As above, with the rows' <see cref="RowSquaredNorms"/> when the caller has them already.</summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static double Assign(Matrix data, float[] centres, int k, int[] labels, float[] squaredDistances, bool parallel, float[]? rowSquaredNorms)
    {
        ArgumentNullException.ThrowIfNull(data);
        var packed = new PackedCentres(centres, k, data.Cols);
        var blocks = (data.Rows + BlockRows - 1) / BlockRows;
        var partial = new double[blocks];
        void Block(int b)
        {
            var start = b * BlockRows;
            var count = Math.Min(BlockRows, data.Rows - start);
            AssignRows(data, start, count, packed, labels.AsSpan(start, count), squaredDistances.AsSpan(start, count),
                rowSquaredNorms is null ? default : rowSquaredNorms.AsSpan(start, count));
            var sum = 0.0;
            for (var i = start; i < start + count; i++)
            {
                sum += squaredDistances[i];
            }
            partial[b] = sum;
        }
        if (parallel)
        {
            Parallel.For(0, blocks, Block);
        }
        else
        {
            for (var b = 0; b < blocks; b++)
            {
                Block(b);
            }
        }
        var inertia = 0.0;
        foreach (var value in partial)
        {
            inertia += value;
        }
        return inertia;
    }

    /// <summary>
    /// Nearest centre of rows [start, start+count) with packed centres; <paramref name="rowSquaredNorms"/>
    /// are those rows' norms, or empty to compute them here.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static void AssignRows(Matrix data, int start, int count, PackedCentres packed, Span<int> labels, Span<float> squaredDistances,
        ReadOnlySpan<float> rowSquaredNorms = default)
    {
        var lanes = packed.Lanes;
        var chunk = Math.Clamp(StackFloats / lanes / 4 * 4, 4, ChunkRows);
        Span<int> rows = stackalloc int[ChunkRows];
        Span<float> norms = stackalloc float[ChunkRows];
        var size = chunk * lanes;
        var distances = size <= StackFloats ? stackalloc float[StackFloats] : new float[size];
        for (var first = 0; first < count; first += chunk)
        {
            var n = Math.Min(chunk, count - first);
            for (var r = 0; r < n; r++)
            {
                rows[r] = start + first + r;
                norms[r] = rowSquaredNorms.IsEmpty ? SquaredNorm(data.Row(start + first + r)) : rowSquaredNorms[first + r];
            }
            packed.SquaredDistances(data.Data, rows[..n], norms[..n], distances);
            for (var r = 0; r < n; r++)
            {
                var (best, bestDistance, _) = NearestTwo(distances.Slice(r * lanes, lanes), packed.Count);
                labels[first + r] = best;
                squaredDistances[first + r] = MathF.Max(0f, bestDistance);
            }
        }
    }

    /// <summary>
    /// For one row of kernel output: the index of the smallest of the first
    /// <paramref name="count"/> values (ties to the lower index), that value, and the smallest of
    /// the others (+∞ when there are none). <paramref name="distances"/> spans the padded lanes
    /// (+∞ beyond <paramref name="count"/>) and is overwritten.
    /// </summary>
    /// <remarks>
    /// With 8-float vectors this takes lane-wise minima instead of a scan whose branches
    /// mispredict; Vector256.Min propagates NaN, so any NaN sends the row to the scan and its rules.
    /// </remarks>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    internal static (int Index, float Nearest, float Second) NearestTwo(Span<float> distances, int count)
    {
        if (Vector256.IsHardwareAccelerated && distances.Length is 8 or 16)
        {
            // Up to 16 centres (k-means's usual case) stay in two registers throughout.
            var infinity = Vector256.Create(float.PositiveInfinity);
            var low = Vector256.Create((ReadOnlySpan<float>)distances);
            var high = distances.Length == 16 ? Vector256.Create((ReadOnlySpan<float>)distances[8..]) : infinity;
            var nearest = Minimum(Vector256.Min(low, high));
            if (!float.IsNaN(nearest))
            {
                var target = Vector256.Create(nearest);
                var mask = Vector256.Equals(low, target).ExtractMostSignificantBits() | (Vector256.Equals(high, target).ExtractMostSignificantBits() << 8);
                var best = BitOperations.TrailingZeroCount(mask);
                var lanes = Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
                low = Vector256.ConditionalSelect(Vector256.Equals(lanes, Vector256.Create(best)).AsSingle(), infinity, low);
                high = Vector256.ConditionalSelect(Vector256.Equals(lanes, Vector256.Create(best - 8)).AsSingle(), infinity, high);
                return (best, nearest, Minimum(Vector256.Min(low, high)));
            }
        }
        else if (Vector256.IsHardwareAccelerated && distances.Length % Vector256<float>.Count == 0)
        {
            var nearest = Minimum(distances);
            if (!float.IsNaN(nearest))
            {
                var target = Vector256.Create(nearest);
                for (var lane = 0; lane < distances.Length; lane += Vector256<float>.Count)
                {
                    var equal = Vector256.Equals(Vector256.Create((ReadOnlySpan<float>)distances[lane..]), target).ExtractMostSignificantBits();
                    if (equal != 0)
                    {
                        var best = lane + BitOperations.TrailingZeroCount(equal);
                        distances[best] = float.PositiveInfinity;
                        return (best, nearest, Minimum(distances));
                    }
                }
            }
        }
        return NearestTwoScan(distances[..count]);
    }

    [MethodImpl(MethodImplOptions.NoInlining)]
    private static (int Index, float Nearest, float Second) NearestTwoScan(ReadOnlySpan<float> distances)
    {
        var best = 0;
        var nearest = float.PositiveInfinity;
        var second = float.PositiveInfinity;
        for (var c = 0; c < distances.Length; c++)
        {
            var distance = distances[c];
            if (distance < nearest)
            {
                second = nearest;
                nearest = distance;
                best = c;
            }
            else if (distance < second)
            {
                second = distance;
            }
        }
        return (best, nearest, second);
    }

    /// <summary>Smallest value (NaN if any is NaN) of a span whose length is a multiple of 8.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Minimum(ReadOnlySpan<float> values)
    {
        var min = Vector256.Create(values);
        for (var lane = Vector256<float>.Count; lane < values.Length; lane += Vector256<float>.Count)
        {
            min = Vector256.Min(min, Vector256.Create(values[lane..]));
        }
        return Minimum(min);
    }

    /// <summary>Smallest lane (NaN if any is NaN).</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static float Minimum(Vector256<float> values)
    {
        var half = Vector128.Min(values.GetLower(), values.GetUpper());
        half = Vector128.Min(half, Vector128.Shuffle(half, Vector128.Create(2, 3, 0, 1)));
        half = Vector128.Min(half, Vector128.Shuffle(half, Vector128.Create(1, 0, 3, 2)));
        return half.ToScalar();
    }
}
