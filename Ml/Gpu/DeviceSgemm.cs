using Distributed.Ml.Numerics;
using ILGPU;

namespace Distributed.Ml.Gpu;

/// <summary>
/// C = alpha·op(A)·op(B) + beta·C on row-major device buffers, op(A) m×k and op(B) k×n, each
/// operand as stored or transposed: the products of a dense layer's forward pass (X·Wᵀ) and
/// backward pass (Gᵀ·X for the weights, G·W for the input), with the meaning of <see cref="Gemm.Multiply"/>.
/// </summary>
/// <remarks>
/// Tiled through shared memory: a group of 16×16 threads computes a 64×64 block of C, each thread
/// a 4×4 sub-block strided by 16, so neighbouring threads write neighbouring columns. The group walks
/// k in tiles of 16 that it loads together, each operand read along its stored rows whichever way
/// it is used (coalesced loads for every transpose case); out-of-range elements load as zeros.
/// Every element of C is summed by one thread over k in ascending order, without atomics and
/// without splitting k across threads, so the result is deterministic run to run on one device, and
/// a row of C does not depend on the other rows (a row's features do not depend on its batch). The
/// summation order differs from OpenBLAS's, so the CPU and the device agree to float rounding.
/// </remarks>
internal static class DeviceSgemm
{
    /// <summary>Threads along each side of a group.</summary>
    private const int Side = 16;

    /// <summary>Rows and columns of C per thread: the block side over the thread side.</summary>
    private const int PerThread = 4;

    /// <summary>Rows (and columns) of C per group.</summary>
    private const int Block = Side * PerThread;

    /// <summary>Depth of a k tile: with <see cref="Block"/>, each thread loads 4 elements of each operand per tile.</summary>
    private const int Depth = 16;

    /// <summary>Stride of a tile row in shared memory: one float of padding so that a column of the tile spreads over the banks.</summary>
    private const int TileStride = Block + 1;

    /// <summary>Threads per group.</summary>
    public const int GroupThreads = Side * Side;

    private const int LoadsPerThread = Block * Depth / GroupThreads;

    /// <summary>Enqueues C = alpha·op(A)·op(B) + beta·C (beta 0 ignores C's contents).</summary>
    /// <exception cref="ArgumentException">An operand is too small for its shape.</exception>
    public static void Run(DeviceKernels kernels, Transpose transA, Transpose transB, int m, int n, int k, float alpha,
        ArrayView<float> a, int lda, ArrayView<float> b, int ldb, float beta, ArrayView<float> c, int ldc)
    {
        Gemm.CheckShapes(transA, transB, m, n, k, a.Length, lda, b.Length, ldb, c.Length, ldc);
        if (m == 0 || n == 0)
        {
            return;
        }
        var groups = new Index2D((n + Block - 1) / Block, (m + Block - 1) / Block);
        var shape = new SgemmShape(m, n, k, lda, ldb, ldc, transA == Transpose.Yes ? 1 : 0, transB == Transpose.Yes ? 1 : 0, alpha, beta);
        kernels.Sgemm(new KernelConfig(groups, new Index2D(Side, Side)), shape, a, b, c);
    }

    /// <summary>The kernel: group (x, y) computes the block of C at columns 64x, rows 64y.</summary>
    internal static void Kernel(SgemmShape s, ArrayView<float> a, ArrayView<float> b, ArrayView<float> c)
    {
        var tileA = SharedMemory.Allocate<float>(Depth * TileStride); // [depth][row of the block]
        var tileB = SharedMemory.Allocate<float>(Depth * TileStride); // [depth][column of the block]
        int tx = Group.IdxX, ty = Group.IdxY;
        var thread = ty * Side + tx;
        int row0 = Grid.IdxY * Block, col0 = Grid.IdxX * Block;

        float c00 = 0, c01 = 0, c02 = 0, c03 = 0, c10 = 0, c11 = 0, c12 = 0, c13 = 0;
        float c20 = 0, c21 = 0, c22 = 0, c23 = 0, c30 = 0, c31 = 0, c32 = 0, c33 = 0;
        for (var k0 = 0; k0 < s.K; k0 += Depth)
        {
            for (var load = 0; load < LoadsPerThread; load++)
            {
                var e = thread + GroupThreads * load;
                LoadTile(a, tileA, e, row0, s.M, k0, s.K, s.Lda, depthContiguous: s.TransA == 0);
                LoadTile(b, tileB, e, col0, s.N, k0, s.K, s.Ldb, depthContiguous: s.TransB != 0);
            }
            Group.Barrier();
            for (var d = 0; d < Depth; d++)
            {
                var at = d * TileStride + ty;
                var bt = d * TileStride + tx;
                float a0 = tileA[at], a1 = tileA[at + Side], a2 = tileA[at + 2 * Side], a3 = tileA[at + 3 * Side];
                float b0 = tileB[bt], b1 = tileB[bt + Side], b2 = tileB[bt + 2 * Side], b3 = tileB[bt + 3 * Side];
                c00 += a0 * b0; c01 += a0 * b1; c02 += a0 * b2; c03 += a0 * b3;
                c10 += a1 * b0; c11 += a1 * b1; c12 += a1 * b2; c13 += a1 * b3;
                c20 += a2 * b0; c21 += a2 * b1; c22 += a2 * b2; c23 += a2 * b3;
                c30 += a3 * b0; c31 += a3 * b1; c32 += a3 * b2; c33 += a3 * b3;
            }
            Group.Barrier();
        }
        StoreRow(s, c, row0 + ty, col0 + tx, c00, c01, c02, c03);
        StoreRow(s, c, row0 + ty + Side, col0 + tx, c10, c11, c12, c13);
        StoreRow(s, c, row0 + ty + 2 * Side, col0 + tx, c20, c21, c22, c23);
        StoreRow(s, c, row0 + ty + 3 * Side, col0 + tx, c30, c31, c32, c33);
    }

    /// <summary>
    /// Element <paramref name="e"/> of a group's tile of an operand: <c>tile[depth, outer]</c> for
    /// the block's rows of A or columns of B (<paramref name="outer0"/> on, fewer than
    /// <paramref name="outerCount"/> in all) and the k tile from <paramref name="k0"/>, zero out of range.
    /// Consecutive threads read consecutive stored values: along k when the operand stores k
    /// contiguously (A as stored, B transposed), along rows or columns otherwise.
    /// </summary>
    private static void LoadTile(ArrayView<float> x, ArrayView<float> tile, int e, int outer0, int outerCount, int k0, int k, int ld, bool depthContiguous)
    {
        int outer, depth;
        if (depthContiguous)
        {
            depth = e % Depth;
            outer = e / Depth;
        }
        else
        {
            outer = e % Block;
            depth = e / Block;
        }
        int o = outer0 + outer, p = k0 + depth;
        var value = 0f;
        if (o < outerCount && p < k)
        {
            value = depthContiguous ? x[(long)o * ld + p] : x[(long)p * ld + o];
        }
        tile[depth * TileStride + outer] = value;
    }

    private static void StoreRow(SgemmShape s, ArrayView<float> c, int i, int j, float v0, float v1, float v2, float v3)
    {
        if (i >= s.M)
        {
            return;
        }
        Store(s, c, i, j, v0);
        Store(s, c, i, j + Side, v1);
        Store(s, c, i, j + 2 * Side, v2);
        Store(s, c, i, j + 3 * Side, v3);
    }

    private static void Store(SgemmShape s, ArrayView<float> c, int i, int j, float sum)
    {
        if (j < s.N)
        {
            var index = (long)i * s.Ldc + j;
            // beta 0 must not read C: it may hold anything, NaN included.
            c[index] = s.Beta == 0f ? s.Alpha * sum : s.Alpha * sum + s.Beta * c[index];
        }
    }
}
