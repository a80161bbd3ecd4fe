using System.Runtime.CompilerServices;
using System.Runtime.InteropServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// Lloyd's iterations with Hamerly's bounds (Hamerly 2010): the same assignments, centres and
/// stopping rule as the plain template (<see cref="NearestCentre"/> + <see cref="KMeansStatistics"/>
/// each iteration), but most rows skip the distance computation once the centres settle.
/// </summary>
/// <remarks>
/// Each row keeps an upper bound on the distance to its centre and a lower bound on the distance
/// to every other centre. Centre moves loosen them by the triangle inequality; a row is recomputed
/// only when they no longer prove that its centre is still the nearest.
/// <para>
/// The proof has to hold for the float distances plain Lloyd compares, not only for exact ones:
/// ‖x‖² − 2x·c + ‖c‖² in float is within E = (d + 4)·2⁻²³·(‖x‖ + max‖c‖)² of the exact squared
/// distance (twice the worst-case bound of d-term sums), so bounds are widened by E and a row is
/// skipped only when lower² − upper² &gt; 2E. A recomputed row goes through the same kernel as
/// <see cref="NearestCentre"/> (same floats, same tie rule), so its label is plain Lloyd's.
/// </para>
/// <para>
/// Cluster sums are updated by the rows that change cluster, not recomputed: per block of
/// <see cref="NearestCentre.BlockRows"/> rows a delta <see cref="KMeansStatistics"/> in row order,
/// merged in block order. The first iteration is therefore bit-identical to the template's; later
/// sums differ from a fresh sum only by double rounding (centres by a float ulp, rarely). The
/// blocks are fixed, so running them in parallel or not gives the same result.
/// </para>
/// </remarks>
internal static class HamerlyLloyd
{
    // Rows per kernel call, so the kernel can interleave rows.
    private const int ChunkRows = 64;

    // l² − u² is compared as l²·(1 − 10⁻¹²) − u²·(1 + 10⁻¹²): the slack absorbs the double rounding
    // of the bounds (relative 10⁻¹⁵ or so), and an infinite lower bound (k = 1) still compares as infinite.
    private const double LowSide = 1 - 1e-12;
    private const double HighSide = 1 + 1e-12;

    // Prefetches step through a row by cache lines.
    private const int CacheLine = 64;

    // Moves and the radius are rounded up, gaps down, by more than the double rounding of their sums.
    private const double Up = 1 + 1e-12;
    private const double Down = 1 - 1e-12;

    /// <summary>
    /// Iterates from <paramref name="centres"/> (modified in place) as the template would, and
    /// returns the model with the template's inertia: that of the last assignment, to the centres
    /// it was made with. <paramref name="rowSquaredNorms"/> are the rows' float squared norms as
    /// <see cref="NearestCentre.RowSquaredNorms"/> computes them.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    public static KMeansModel Fit(Matrix data, int k, float[] centres, int maxIterations, double tolerance, float[] rowSquaredNorms, bool parallel)
    {
        var n = data.Rows;
        var d = data.Cols;
        var state = new State(data, k, centres, rowSquaredNorms);
        var blockCount = (n + NearestCentre.BlockRows - 1) / NearestCentre.BlockRows;
        var blocks = new BlockState[blockCount];
        for (var b = 0; b < blockCount; b++)
        {
            blocks[b] = new BlockState(k, d, state.Packed.Lanes);
        }
        var totals = new KMeansStatistics(k, d);
        var previous = new float[centres.Length];
        float[]? distances = null;
        int[]? scratchLabels = null;
        var iterations = 0;
        var converged = false;
        while (iterations < maxIterations)
        {
            iterations++;
            if (parallel)
            {
                Parallel.For(0, blockCount, b => state.Assign(b, blocks[b]));
            }
            else
            {
                for (var b = 0; b < blockCount; b++)
                {
                    state.Assign(b, blocks[b]);
                }
            }
            foreach (var block in blocks)
            {
                if (block.Changed)
                {
                    totals.Merge(block.Delta);
                }
            }

            centres.CopyTo(previous, 0);
            totals.WriteMeans(centres);
            if (Array.IndexOf(totals.Counts, 0L) >= 0)
            {
                // Rare: relocation needs every row's distance, which the bounds do not give.
                distances ??= new float[n];
                scratchLabels ??= new int[n];
                NearestCentre.Assign(data, previous, k, scratchLabels, distances, parallel, rowSquaredNorms);
                KMeans.RelocateEmptyClusters(data, totals.Counts, distances, centres);
            }
            if (KMeans.SquaredShift(previous, centres) <= tolerance)
            {
                converged = true;
                break;
            }
            state.MoveCentres(previous, centres);
        }

        // The template's inertia is the last assignment's, to the centres it was made with.
        var inertia = NearestCentre.Assign(data, previous, k, scratchLabels ?? new int[n], distances ?? new float[n], parallel, rowSquaredNorms);
        return new KMeansModel(centres, k, d, inertia, iterations, converged);
    }

    /// <summary>Per-block scratch: the block's delta statistics and the rows to recompute.</summary>
    internal sealed class BlockState(int k, int d, int lanes)
    {
        public KMeansStatistics Delta { get; } = new(k, d);

        /// <summary>The clusters that gained or lost a row of the block in the last <see cref="State.Assign"/>.</summary>
        public bool[] Touched { get; } = new bool[k];

        public int[] Pending { get; } = new int[NearestCentre.BlockRows];

        public float[] Norms { get; } = new float[ChunkRows];

        public float[] Distances { get; } = new float[ChunkRows * lanes];

        public bool Changed { get; set; }
    }

    /// <summary>The rows' labels and bounds, and what the current centres imply for them.</summary>
    /// <remarks>
    /// Bounds are stored relative to running totals of the centre moves, so that loosening them
    /// after a move costs nothing per row: the upper bound of a row in cluster a is
    /// <c>_upper[i] + _travel[a]</c> (how far centre a has travelled in all) and the lower bound
    /// <c>_lower[i] − _maxTravel</c> (the sum over iterations of the largest move). A row's
    /// arrays are only written when its bounds are recomputed, and the pass over all rows only reads.
    /// </remarks>
    internal sealed class State
    {
        private readonly Matrix _data;
        private readonly int _k;
        private readonly float[] _rowSquaredNorms;
        private readonly int[] _labels;
        private readonly double[] _upper;
        private readonly double[] _lower;
        private readonly double _errorScale;
        private readonly double _maxRowNorm;
        private readonly double[] _travel;
        private readonly double[] _minGaps;
        private double _maxTravel;
        private double _error;
        private bool _assigned;

        /// <param name="data">The rows.</param>
        /// <param name="k">Number of centres.</param>
        /// <param name="centres">The initial centres, row-major.</param>
        /// <param name="rowSquaredNorms">Each row's float squared norm.</param>
        public State(Matrix data, int k, float[] centres, float[] rowSquaredNorms)
        {
            _data = data;
            _k = k;
            _rowSquaredNorms = rowSquaredNorms;
            _labels = new int[data.Rows];
            Array.Fill(_labels, -1);
            _upper = new double[data.Rows];
            _lower = new double[data.Rows];
            _errorScale = (data.Cols + 4) * Math.ScaleB(1.0, -23);
            var maxSquaredNorm = 0f;
            foreach (var norm in rowSquaredNorms)
            {
                maxSquaredNorm = MathF.Max(maxSquaredNorm, norm);
            }
            _maxRowNorm = Math.Sqrt(maxSquaredNorm);
            Packed = new PackedCentres(centres, k, data.Cols);
            _travel = new double[k];
            _minGaps = new double[k];
            Geometry(centres);
        }

        public PackedCentres Packed { get; }

        /// <summary>Each row's label after the last <see cref="Assign"/> of every block (plain Lloyd's labels).</summary>
        public int[] Labels => _labels;

        /// <summary>
        /// Checks the bounds of block <paramref name="b"/>'s rows against the current centres,
        /// recomputes the rows they no longer pin down, and records label changes in the block's delta.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void Assign(int b, BlockState block)
        {
            var start = b * NearestCentre.BlockRows;
            var end = Math.Min(_data.Rows, start + NearestCentre.BlockRows);
            var d = _data.Cols;
            var pending = block.Pending;

            // 1. Rows whose bounds, loosened by the moves, no longer separate them (all rows at first).
            var remaining = _assigned ? Unresolved(start, end, pending) : Everything(start, end, pending);

            // 2. Distances to every centre for the rest, as plain Lloyd computes them.
            block.Changed = false;
            block.Delta.Reset();
            Array.Clear(block.Touched);
            var lanes = Packed.Lanes;
            for (var first = 0; first < remaining; first += ChunkRows)
            {
                var rows = pending.AsSpan(first, Math.Min(ChunkRows, remaining - first));
                // The rows are scattered through the data: fetch the next chunk's while this one is measured.
                for (var next = first + ChunkRows; next < Math.Min(remaining, first + 2 * ChunkRows); next++)
                {
                    Prefetch(_data.Data, pending[next] * d, d);
                }
                for (var r = 0; r < rows.Length; r++)
                {
                    block.Norms[r] = _rowSquaredNorms[rows[r]];
                }
                Packed.SquaredDistances(_data.Data, rows, block.Norms, block.Distances);
                for (var r = 0; r < rows.Length; r++)
                {
                    var i = rows[r];
                    var (best, nearest, second) = NearestCentre.NearestTwo(block.Distances.AsSpan(r * lanes, lanes), _k);
                    _upper[i] = Math.Sqrt(Math.Max(0.0, nearest + _error)) - _travel[best];
                    _lower[i] = Math.Sqrt(Math.Max(0.0, second - _error)) + _maxTravel;
                    var old = _labels[i];
                    if (best != old)
                    {
                        var row = _data.Row(i);
                        if (old >= 0)
                        {
                            block.Delta.Subtract(row, old);
                            block.Touched[old] = true;
                        }
                        block.Delta.Add(row, best);
                        block.Touched[best] = true;
                        _labels[i] = best;
                        block.Changed = true;
                    }
                }
            }
        }

        /// <summary>Lists every row of [start, end): before the first assignment no row has bounds.</summary>
        private static int Everything(int start, int end, int[] pending)
        {
            for (var i = start; i < end; i++)
            {
                pending[i - start] = i;
            }
            return end - start;
        }

        /// <summary>
        /// Writes to <paramref name="pending"/> the rows of [start, end) that <see cref="Separated"/>
        /// does not clear, four at a time where AVX2 gathers the per-centre values.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private unsafe int Unresolved(int start, int end, int[] pending)
        {
            var count = 0;
            var i = start;
            if (Avx2.IsSupported)
            {
                fixed (int* labels = _labels)
                fixed (double* upper = _upper, lower = _lower, travel = _travel, gaps = _minGaps)
                {
                    var maxTravel = Vector256.Create(_maxTravel);
                    var limit = Vector256.Create(2 * _error);
                    var lowSide = Vector256.Create(LowSide);
                    var highSide = Vector256.Create(HighSide);
                    for (; i + 4 <= end; i += 4)
                    {
                        var index = Sse2.LoadVector128(labels + i);
                        var u = Avx.LoadVector256(upper + i) + Avx2.GatherVector256(travel, index, sizeof(double));
                        var l = Avx.LoadVector256(lower + i) - maxTravel;
                        var bound = Vector256.Max(l, Avx2.GatherVector256(gaps, index, sizeof(double)) - u);
                        var separated = Vector256.GreaterThan(bound, u) & Vector256.GreaterThan(bound * bound * lowSide - u * u * highSide, limit);
                        var mask = separated.ExtractMostSignificantBits();
                        if (mask == 0b1111)
                        {
                            continue;
                        }
                        for (var r = 0; r < 4; r++)
                        {
                            if ((mask & (1u << r)) == 0)
                            {
                                pending[count++] = i + r;
                            }
                        }
                    }
                }
            }
            for (; i < end; i++)
            {
                var label = _labels[i];
                if (!Separated(_upper[i] + _travel[label], _lower[i] - _maxTravel, label))
                {
                    pending[count++] = i;
                }
            }
            return count;
        }

        /// <summary>Adds how far each centre moved to the running totals and records the new centre geometry.</summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        public void MoveCentres(float[] before, float[] after)
        {
            var d = _data.Cols;
            var maxMove = 0.0;
            for (var c = 0; c < _k; c++)
            {
                var move = Math.Sqrt(SquaredDistance(before.AsSpan(c * d, d), after.AsSpan(c * d, d))) * Up;
                _travel[c] += move;
                maxMove = Math.Max(maxMove, move);
            }
            _maxTravel += maxMove;
            _assigned = true;
            Packed.Update(after);
            Geometry(after);
        }

        /// <summary>Hints the processor to fetch values [offset, offset+count) (a hint: a bad address does no harm).</summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private static unsafe void Prefetch(float[] values, int offset, int count)
        {
            if (Sse.IsSupported)
            {
                var first = (byte*)Unsafe.AsPointer(ref MemoryMarshal.GetArrayDataReference(values)) + (nint)offset * sizeof(float);
                for (var line = 0; line < count * sizeof(float); line += CacheLine)
                {
                    Sse.Prefetch0(first + line);
                }
            }
        }

        /// <summary>
        /// Whether bounds u (on the distance to centre <paramref name="label"/>) and l (on every
        /// other) prove that the float distances would still pick <paramref name="label"/>.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveInlining)]
        private bool Separated(double u, double l, int label)
        {
            // Every other centre j is also at least ‖c_label − c_j‖ − u away.
            var gap = _minGaps[label] - u;
            var bound = l > gap ? l : gap;
            return bound > u && bound * bound * LowSide - u * u * HighSide > 2 * _error;
        }

        /// <summary>
        /// Each centre's distance to the nearest other one (+∞ when k = 1), and the bound E on the
        /// float rounding of any row's squared distance to these centres.
        /// </summary>
        [MethodImpl(MethodImplOptions.AggressiveOptimization)]
        private void Geometry(float[] centres)
        {
            var d = _data.Cols;
            var radius = 0.0;
            Array.Fill(_minGaps, double.PositiveInfinity);
            for (var c = 0; c < _k; c++)
            {
                var centre = centres.AsSpan(c * d, d);
                radius = Math.Max(radius, Math.Sqrt(SquaredDistance(centre, default)) * Up);
                for (var other = c + 1; other < _k; other++)
                {
                    var gap = Math.Sqrt(SquaredDistance(centre, centres.AsSpan(other * d, d))) * Down;
                    _minGaps[c] = Math.Min(_minGaps[c], gap);
                    _minGaps[other] = Math.Min(_minGaps[other], gap);
                }
            }
            var reach = _maxRowNorm + radius;
            _error = _errorScale * reach * reach;
        }

        /// <summary>Squared distance in double (an empty <paramref name="b"/> is the origin): k·d terms per iteration, not per row.</summary>
        private static double SquaredDistance(ReadOnlySpan<float> a, ReadOnlySpan<float> b)
        {
            var sum = 0.0;
            for (var j = 0; j < a.Length; j++)
            {
                var delta = (double)a[j] - (b.IsEmpty ? 0f : b[j]);
                sum += delta * delta;
            }
            return sum;
        }
    }
}
