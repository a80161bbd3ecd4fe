using System.Runtime.CompilerServices;
using System.Runtime.Intrinsics;
using System.Runtime.Intrinsics.X86;

namespace Distributed.Ml.Numerics;

/// <summary>
/// SGEMM with 512-bit vectors: C = alpha·op(A)·op(B) + beta·C on row-major buffers, in the
/// Goto/BLIS way: a depth block of B packed into column panels of 64, a 6×64 register tile of fused
/// multiply-adds, and C's columns shared out in chunks to <see cref="Environment.ProcessorCount"/>
/// threads. A network's training products (<see cref="Gemm.MultiplyForTraining"/>) go through it
/// where the hardware runs 512-bit vectors.
/// </summary>
/// <remarks>
/// <para>Why it exists: this machine kind's CPU (AMD family 26) executes 512-bit fused multiply-adds
/// at full width, twice the arithmetic per instruction of 256-bit ones, but OpenBLAS runs its AVX2
/// kernels here (the machine sets <c>OPENBLAS_CORETYPE=Haswell</c>): with them the dense
/// autoencoder's training spent two thirds of its time in <c>sgemm_kernel_HASWELL</c>. On one thread this kernel
/// runs the autoencoder's products at 1.6–1.7× OpenBLAS's speed.</para>
/// <para>A is not packed: a band of six rows (or, stored transposed, six values of each depth row) is
/// read in place, as it stays in cache across the column panels; only a last band short of six rows
/// is copied out, padded with zeros. So a chunk of columns needs nothing but its own B panels, and
/// the chunks are many and small: a worker thread that wakes late still takes its share.</para>
/// <para>Each element of C is summed over k in fixed blocks of <see cref="DepthBlock"/>: within a
/// block in k order with fused multiply-adds, then alpha times the block's sum added to C. That order
/// depends on nothing but k, so an element comes out the same to the bit whatever m, n, the tile it
/// falls in or the number of threads.</para>
/// </remarks>
internal static class PackedGemm
{
    /// <summary>Rows of the register tile.</summary>
    internal const int TileRows = 6;

    /// <summary>Columns of the register tile: four 512-bit vectors.</summary>
    internal const int TileColumns = 64;

    /// <summary>
    /// Depth of a packed block: C is read and written once per block, and a B panel (256 × 64 floats,
    /// 64 KB, more than L1 holds) streams from L2, 256 bytes per 24 multiply-adds, which by our
    /// estimate needs a third of a core's L2 bandwidth. Blocks of 128 made the products with a large
    /// C (2,000 × 500) slower.
    /// </summary>
    internal const int DepthBlock = 256;

    /// <summary>Column panels per chunk of work a thread takes at a time.</summary>
    private const int PanelsPerChunk = 2;

    /// <summary>Whether the hardware runs 512-bit vectors, without which this kernel is not used.</summary>
    public static bool IsSupported => Vector512.IsHardwareAccelerated;

    [ThreadStatic]
    private static float[]? t_packedA;

    [ThreadStatic]
    private static float[]? t_packedB;

    /// <summary>Computes C = alpha·op(A)·op(B) + beta·C; shapes as <see cref="Gemm.Multiply"/>, already checked.</summary>
    public static void Sgemm(Transpose transA, Transpose transB, int m, int n, int k, float alpha,
        ReadOnlySpan<float> a, int lda, ReadOnlySpan<float> b, int ldb, float beta, Span<float> c, int ldc)
    {
        if (n <= TileColumns / 2 && m > n)
        {
            // A narrow C (a layer of ten outputs, a convolution of 32 filters) would leave half or
            // more of each 64-column tile empty (the convolutional autoencoder trained in 48.2 s
            // this way against 50.8 s with half-empty tiles):
            // Cᵀ = op(B)ᵀ·op(A)ᵀ is computed instead, with the same products summed in the same
            // order (a fused multiply-add does not depend on its factors' order), and written back
            // transposed.
            Run(new Operands(Flip(transB), Flip(transA), n, m, k, alpha, beta, ldb, lda, ldc, TransposedC: true), b, a, c);
            return;
        }
        Run(new Operands(transA, transB, m, n, k, alpha, beta, lda, ldb, ldc, TransposedC: false), a, b, c);
    }

    private static Transpose Flip(Transpose transpose) => transpose == Transpose.No ? Transpose.Yes : Transpose.No;

    private static void Run(in Operands operands, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c)
    {
        var chunkWidth = PanelsPerChunk * TileColumns;
        var chunks = (operands.N + chunkWidth - 1) / chunkWidth;
        if (chunks == 1 || Environment.ProcessorCount == 1 || (long)operands.M * operands.N * operands.K < 1L << 18)
        {
            Block(operands, a, b, c, 0, operands.N);
            return;
        }
        unsafe
        {
            fixed (float* aPointer = a, bPointer = b, cPointer = c)
            {
                var shared = new SharedOperands(operands, aPointer, a.Length, bPointer, b.Length, cPointer, c.Length);
                Parallel.For(0, chunks, chunk =>
                {
                    var start = chunk * chunkWidth;
                    Chunk(shared.Operands, shared.A, shared.B, shared.C, start, Math.Min(shared.Operands.N, start + chunkWidth));
                });
            }
        }
    }

    /// <summary>Columns j0..j1 of C (all its rows) on the calling thread, a chunk at a time.</summary>
    private static void Block(in Operands o, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int j0, int j1)
    {
        for (var j = j0; j < j1; j += PanelsPerChunk * TileColumns)
        {
            Chunk(o, a, b, c, j, Math.Min(j1, j + PanelsPerChunk * TileColumns));
        }
    }

    /// <summary>Columns j0..j1 of C, at most <see cref="PanelsPerChunk"/> panels, on the calling thread.</summary>
    private static void Chunk(in Operands o, ReadOnlySpan<float> a, ReadOnlySpan<float> b, Span<float> c, int j0, int j1)
    {
        var width = j1 - j0;
        var packedB = Buffer(ref t_packedB, DepthBlock * PanelsPerChunk * TileColumns);
        var packedA = Buffer(ref t_packedA, DepthBlock * TileRows);
        Span<float> tile = stackalloc float[TileRows * TileColumns];
        var rowMajor = o.TransA == Transpose.No;
        var shortRows = o.M % TileRows;
        for (var p0 = 0; p0 < o.K; p0 += DepthBlock)
        {
            var depth = Math.Min(DepthBlock, o.K - p0);
            var first = p0 == 0;
            var mode = !first ? StoreMode.Add : o.Beta == 0f ? StoreMode.Overwrite : StoreMode.ScaleAndAdd;
            PackB(o, b, p0, depth, j0, j1, packedB);
            if (shortRows > 0)
            {
                PackShortBand(o, a, p0, depth, o.M - shortRows, shortRows, packedA);
            }
            // Tiles along a band of six rows, so C is written (and read) along its rows.
            for (var i = 0; i < o.M; i += TileRows)
            {
                var tileRows = Math.Min(TileRows, o.M - i);
                var inPlace = tileRows == TileRows;
                ref readonly var bandA = ref !inPlace ? ref packedA[0] : ref rowMajor ? ref a[i * o.Lda + p0] : ref a[p0 * o.Lda + i];
                var rowStride = !inPlace || !rowMajor ? 1 : (nuint)o.Lda;
                var depthStride = !inPlace ? TileRows : rowMajor ? 1 : (nuint)o.Lda;
                for (var j = 0; j < width; j += TileColumns)
                {
                    var columns = Math.Min(TileColumns, width - j);
                    if (inPlace && columns == TileColumns && !o.TransposedC)
                    {
                        Kernel(depth, in bandA, rowStride, depthStride, in packedB[j * depth], ref c[i * o.Ldc + j0 + j], (nuint)o.Ldc, mode, o.Alpha, o.Beta);
                    }
                    else
                    {
                        // An edge tile: its sums go to the side, and only its part inside C is added.
                        Kernel(depth, in bandA, rowStride, depthStride, in packedB[j * depth], ref tile[0], TileColumns, StoreMode.Overwrite, 1f, 0f);
                        Merge(o, tile, c, i, tileRows, j0 + j, columns, first);
                    }
                }
            }
        }
    }

    private static float[] Buffer(ref float[]? buffer, int length)
    {
        if (buffer is null || buffer.Length < length)
        {
            buffer = new float[length];
        }
        return buffer;
    }

    /// <summary>
    /// op(B)[p0..p0+depth, j0..j1] as column panels of <see cref="TileColumns"/>: panel q holds, for
    /// each p, its 64 columns side by side (zeros past the last column).
    /// </summary>
    private static unsafe void PackB(in Operands o, ReadOnlySpan<float> b, int p0, int depth, int j0, int j1, float[] packed)
    {
        var ldb = (nuint)o.Ldb;
        fixed (float* source = b, target = packed)
        {
            for (var j = j0; j < j1; j += TileColumns)
            {
                var columns = Math.Min(TileColumns, j1 - j);
                var panel = target + (nuint)(j - j0) * (nuint)depth;
                if (columns < TileColumns)
                {
                    new Span<float>(panel, depth * TileColumns).Clear();
                }
                if (o.TransB == Transpose.No)
                {
                    // B is k×n: each p's columns are contiguous.
                    var row = source + (nuint)p0 * ldb + (nuint)j;
                    for (nuint p = 0; p < (nuint)depth; p++, row += ldb)
                    {
                        if (columns == TileColumns)
                        {
                            for (nuint q = 0; q < TileColumns; q += 16)
                            {
                                Vector512.Load(row + q).Store(panel + p * TileColumns + q);
                            }
                        }
                        else
                        {
                            new ReadOnlySpan<float>(row, columns).CopyTo(new Span<float>(panel + p * TileColumns, columns));
                        }
                    }
                }
                else
                {
                    // B is n×k: column j's depth run is row j of B. Eight columns at a time are
                    // gathered for each p (one load per column), so the panel is written in order.
                    var stride = Vector256.Create((int)o.Ldb) * Vector256.Create(0, 1, 2, 3, 4, 5, 6, 7);
                    var q = 0;
                    for (; q + 8 <= columns; q += 8)
                    {
                        var column = source + (nuint)(j + q) * ldb + (nuint)p0;
                        for (nuint p = 0; p < (nuint)depth; p++)
                        {
                            Avx2.GatherVector256(column + p, stride, 4).Store(panel + p * TileColumns + (nuint)q);
                        }
                    }
                    for (; q < columns; q++)
                    {
                        var column = source + (nuint)(j + q) * ldb + (nuint)p0;
                        for (nuint p = 0; p < (nuint)depth; p++)
                        {
                            panel[p * TileColumns + (nuint)q] = column[p];
                        }
                    }
                }
            }
        }
    }

    /// <summary>
    /// op(A)[r0..r0+rows, p0..p0+depth] for a last band of fewer than six rows, laid out as the
    /// kernel reads a packed band: for each p, six values side by side, zeros past the last row.
    /// </summary>
    private static unsafe void PackShortBand(in Operands o, ReadOnlySpan<float> a, int p0, int depth, int r0, int rows, float[] packed)
    {
        var lda = (nuint)o.Lda;
        var (rowStride, depthStride) = o.TransA == Transpose.No ? (lda, (nuint)1) : (1, lda);
        fixed (float* source = a, target = packed)
        {
            var start = source + (o.TransA == Transpose.No ? (nuint)r0 * lda + (nuint)p0 : (nuint)p0 * lda + (nuint)r0);
            for (nuint p = 0; p < (nuint)depth; p++)
            {
                for (nuint r = 0; r < TileRows; r++)
                {
                    target[p * TileRows + r] = r < (nuint)rows ? start[r * rowStride + p * depthStride] : 0f;
                }
            }
        }
    }

    /// <summary>
    /// The 6×64 tile of Σ_p A[i,p]·B[p,j] over one packed depth block, in p order, put at
    /// <paramref name="c"/> (rows <paramref name="ldc"/> apart) as <paramref name="mode"/> says.
    /// </summary>
    [MethodImpl(MethodImplOptions.AggressiveOptimization)]
    private static void Kernel(int depth, ref readonly float a, nuint rowStride, nuint depthStride, ref readonly float b, ref float c, nuint ldc, StoreMode mode, float alpha, float beta)
    {
        const int w = 16;
        nuint row2 = 2 * rowStride, row3 = 3 * rowStride, row4 = 4 * rowStride, row5 = 5 * rowStride;
        var c00 = Vector512<float>.Zero; var c01 = Vector512<float>.Zero; var c02 = Vector512<float>.Zero; var c03 = Vector512<float>.Zero;
        var c10 = Vector512<float>.Zero; var c11 = Vector512<float>.Zero; var c12 = Vector512<float>.Zero; var c13 = Vector512<float>.Zero;
        var c20 = Vector512<float>.Zero; var c21 = Vector512<float>.Zero; var c22 = Vector512<float>.Zero; var c23 = Vector512<float>.Zero;
        var c30 = Vector512<float>.Zero; var c31 = Vector512<float>.Zero; var c32 = Vector512<float>.Zero; var c33 = Vector512<float>.Zero;
        var c40 = Vector512<float>.Zero; var c41 = Vector512<float>.Zero; var c42 = Vector512<float>.Zero; var c43 = Vector512<float>.Zero;
        var c50 = Vector512<float>.Zero; var c51 = Vector512<float>.Zero; var c52 = Vector512<float>.Zero; var c53 = Vector512<float>.Zero;
        for (nuint p = 0; p < (nuint)depth; p++)
        {
            var bp = p * TileColumns;
            var b0 = Vector512.LoadUnsafe(in b, bp);
            var b1 = Vector512.LoadUnsafe(in b, bp + w);
            var b2 = Vector512.LoadUnsafe(in b, bp + 2 * w);
            var b3 = Vector512.LoadUnsafe(in b, bp + 3 * w);
            var ap = p * depthStride;
            var a0 = Vector512.Create(Unsafe.Add(ref Unsafe.AsRef(in a), ap));
            c00 = Vector512.FusedMultiplyAdd(a0, b0, c00); c01 = Vector512.FusedMultiplyAdd(a0, b1, c01);
            c02 = Vector512.FusedMultiplyAdd(a0, b2, c02); c03 = Vector512.FusedMultiplyAdd(a0, b3, c03);
            var a1 = Vector512.Create(Unsafe.Add(ref Unsafe.AsRef(in a), ap + rowStride));
            c10 = Vector512.FusedMultiplyAdd(a1, b0, c10); c11 = Vector512.FusedMultiplyAdd(a1, b1, c11);
            c12 = Vector512.FusedMultiplyAdd(a1, b2, c12); c13 = Vector512.FusedMultiplyAdd(a1, b3, c13);
            var a2 = Vector512.Create(Unsafe.Add(ref Unsafe.AsRef(in a), ap + row2));
            c20 = Vector512.FusedMultiplyAdd(a2, b0, c20); c21 = Vector512.FusedMultiplyAdd(a2, b1, c21);
            c22 = Vector512.FusedMultiplyAdd(a2, b2, c22); c23 = Vector512.FusedMultiplyAdd(a2, b3, c23);
            var a3 = Vector512.Create(Unsafe.Add(ref Unsafe.AsRef(in a), ap + row3));
            c30 = Vector512.FusedMultiplyAdd(a3, b0, c30); c31 = Vector512.FusedMultiplyAdd(a3, b1, c31);
            c32 = Vector512.FusedMultiplyAdd(a3, b2, c32); c33 = Vector512.FusedMultiplyAdd(a3, b3, c33);
            var a4 = Vector512.Create(Unsafe.Add(ref Unsafe.AsRef(in a), ap + row4));
            c40 = Vector512.FusedMultiplyAdd(a4, b0, c40); c41 = Vector512.FusedMultiplyAdd(a4, b1, c41);
            c42 = Vector512.FusedMultiplyAdd(a4, b2, c42); c43 = Vector512.FusedMultiplyAdd(a4, b3, c43);
            var a5 = Vector512.Create(Unsafe.Add(ref Unsafe.AsRef(in a), ap + row5));
            c50 = Vector512.FusedMultiplyAdd(a5, b0, c50); c51 = Vector512.FusedMultiplyAdd(a5, b1, c51);
            c52 = Vector512.FusedMultiplyAdd(a5, b2, c52); c53 = Vector512.FusedMultiplyAdd(a5, b3, c53);
        }
        var alphas = Vector512.Create(alpha);
        var betas = Vector512.Create(beta);
        Put(ref c, 0, c00, alphas, betas, mode); Put(ref c, w, c01, alphas, betas, mode); Put(ref c, 2 * w, c02, alphas, betas, mode); Put(ref c, 3 * w, c03, alphas, betas, mode);
        c = ref Unsafe.Add(ref c, ldc);
        Put(ref c, 0, c10, alphas, betas, mode); Put(ref c, w, c11, alphas, betas, mode); Put(ref c, 2 * w, c12, alphas, betas, mode); Put(ref c, 3 * w, c13, alphas, betas, mode);
        c = ref Unsafe.Add(ref c, ldc);
        Put(ref c, 0, c20, alphas, betas, mode); Put(ref c, w, c21, alphas, betas, mode); Put(ref c, 2 * w, c22, alphas, betas, mode); Put(ref c, 3 * w, c23, alphas, betas, mode);
        c = ref Unsafe.Add(ref c, ldc);
        Put(ref c, 0, c30, alphas, betas, mode); Put(ref c, w, c31, alphas, betas, mode); Put(ref c, 2 * w, c32, alphas, betas, mode); Put(ref c, 3 * w, c33, alphas, betas, mode);
        c = ref Unsafe.Add(ref c, ldc);
        Put(ref c, 0, c40, alphas, betas, mode); Put(ref c, w, c41, alphas, betas, mode); Put(ref c, 2 * w, c42, alphas, betas, mode); Put(ref c, 3 * w, c43, alphas, betas, mode);
        c = ref Unsafe.Add(ref c, ldc);
        Put(ref c, 0, c50, alphas, betas, mode); Put(ref c, w, c51, alphas, betas, mode); Put(ref c, 2 * w, c52, alphas, betas, mode); Put(ref c, 3 * w, c53, alphas, betas, mode);
    }

    /// <summary>One vector of a tile into C: alpha·sum, in place of C, over beta·C or over C; multiply then add, never fused.</summary>
    [MethodImpl(MethodImplOptions.AggressiveInlining)]
    private static void Put(ref float c, nuint offset, Vector512<float> sum, Vector512<float> alpha, Vector512<float> beta, StoreMode mode)
    {
        var value = alpha * sum;
        if (mode != StoreMode.Overwrite)
        {
            var current = Vector512.LoadUnsafe(ref c, offset);
            value = (mode == StoreMode.ScaleAndAdd ? current * beta : current) + value;
        }
        value.StoreUnsafe(ref c, offset);
    }

    /// <summary>
    /// Adds alpha times an edge tile's sums into C's <paramref name="rows"/> × <paramref name="columns"/>
    /// corner at (i, j), or at (j, i) transposed: in place of C (beta 0) or over beta·C for the first
    /// depth block, over C after. Multiply then add, never fused, as <see cref="Put"/> does for whole
    /// tiles, so an element is the same bits on either path. Edge tiles are few: one element at a time.
    /// </summary>
    private static void Merge(in Operands o, ReadOnlySpan<float> tile, Span<float> c, int i, int rows, int j, int columns, bool first)
    {
        for (var r = 0; r < rows; r++)
        {
            for (var q = 0; q < columns; q++)
            {
                ref var target = ref o.TransposedC ? ref c[(j + q) * o.Ldc + i + r] : ref c[(i + r) * o.Ldc + j + q];
                var product = o.Alpha * tile[r * TileColumns + q];
                target = first && o.Beta == 0f ? product : (first ? target * o.Beta : target) + product;
            }
        }
    }

    /// <summary>How a depth block's sums meet C: the first block with beta 0 replaces it, with another beta adds to beta·C, and later blocks add to C.</summary>
    private enum StoreMode
    {
        Overwrite,
        ScaleAndAdd,
        Add,
    }

    /// <summary>A product's operands; with <paramref name="TransposedC"/> the product computed is Cᵀ, stored into C transposed.</summary>
    private readonly record struct Operands(Transpose TransA, Transpose TransB, int M, int N, int K, float Alpha, float Beta, int Lda, int Ldb, int Ldc, bool TransposedC);

    /// <summary>The operands as pointers, for the worker threads (spans cannot be captured); pinned by the caller for the call's length.</summary>
    private readonly unsafe struct SharedOperands(Operands operands, float* a, int aLength, float* b, int bLength, float* c, int cLength)
    {
        public Operands Operands { get; } = operands;

        public ReadOnlySpan<float> A => new(a, aLength);

        public ReadOnlySpan<float> B => new(b, bLength);

        public Span<float> C => new(c, cLength);
    }
}
