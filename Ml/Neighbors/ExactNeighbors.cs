using Distributed.Ml.Clustering;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Neighbors;

/// <summary>
/// Exact k nearest neighbours by blocked brute force: squared distances ‖x‖² + ‖y‖² − 2x·y from
/// one SGEMM per (query block, reference block), a bounded heap per query row, parallel over
/// query blocks. O(n·m·d) time, O(block²) memory beyond the result.
/// </summary>
/// <remarks>
/// The norm expansion is fast but rounds differently from a direct difference, and how SGEMM rounds
/// one entry may depend on its neighbours in the block. So the GEMM pass only shortlists
/// <c>k + max(8, k)</c> candidates per query; their distances are then recomputed directly and the
/// best k kept (ties by index). A query's neighbours and distances therefore depend only on that
/// query and the reference set — not on the thread count, nor on which other queries share its
/// batch, which a distributed transform of separate shards relies on.
/// </remarks>
public static class ExactNeighbors
{
    private const int QueryBlock = 256;
    private const int ReferenceBlock = 2048;

    /// <summary>The <paramref name="neighbors"/> nearest other rows of each row of <paramref name="data"/> (itself excluded).</summary>
    public static KnnGraph Build(Matrix data, int neighbors)
    {
        ArgumentNullException.ThrowIfNull(data);
        return Search(data, data, neighbors, excludeSelf: true);
    }

    /// <summary>
    /// The <paramref name="neighbors"/> nearest rows of <paramref name="reference"/> to each row of
    /// <paramref name="queries"/>. A caller that queries the same reference many times (a served
    /// model) passes its <see cref="ReferenceNorms"/> so they are not recomputed per query.
    /// </summary>
    public static KnnGraph Query(Matrix reference, Matrix queries, int neighbors, float[]? referenceNorms = null)
    {
        ArgumentNullException.ThrowIfNull(reference);
        ArgumentNullException.ThrowIfNull(queries);
        if (queries.Cols != reference.Cols)
        {
            throw new ArgumentException($"Queries have {queries.Cols} columns, the reference set {reference.Cols}.", nameof(queries));
        }
        if (referenceNorms is not null && referenceNorms.Length != reference.Rows)
        {
            throw new ArgumentException($"{referenceNorms.Length} norms for {reference.Rows} reference rows.", nameof(referenceNorms));
        }
        return Search(reference, queries, neighbors, excludeSelf: false, referenceNorms);
    }

    /// <summary>Squared norms of the reference rows, as <see cref="Query"/> uses them.</summary>
    public static float[] ReferenceNorms(Matrix reference)
    {
        ArgumentNullException.ThrowIfNull(reference);
        return NearestCentre.RowSquaredNorms(reference.Data, reference.Rows, reference.Cols);
    }

    private static KnnGraph Search(Matrix reference, Matrix queries, int k, bool excludeSelf, float[]? referenceNorms = null)
    {
        var available = reference.Rows - (excludeSelf ? 1 : 0);
        if (k < 1 || k > available)
        {
            throw new ArgumentOutOfRangeException(nameof(k), $"Neighbours must be in 1..{available}, got {k}.");
        }
        var shortlist = Math.Min(available, k + Math.Max(8, k));
        referenceNorms ??= ReferenceNorms(reference);
        var indices = new int[checked(queries.Rows * k)];
        var distances = new float[indices.Length];
        var blocks = (queries.Rows + QueryBlock - 1) / QueryBlock;
        // A single small query (one served image) needs a workspace of its own size, not a full block's 2 MB.
        var blockRows = Math.Min(QueryBlock, queries.Rows);
        Parallel.For(0, blocks, () => new Workspace(shortlist, blockRows), (block, _, workspace) =>
        {
            var start = block * QueryBlock;
            var count = Math.Min(QueryBlock, queries.Rows - start);
            SearchBlock(reference, referenceNorms, queries, start, count, excludeSelf, workspace);
            Refine(reference, queries, start, count, k, workspace, indices, distances);
            return workspace;
        }, _ => { });
        return new KnnGraph(queries.Rows, k, indices, distances);
    }

    /// <summary>Fills each query's heap with its shortlist by GEMM distances against every reference block.</summary>
    private static void SearchBlock(Matrix reference, float[] referenceNorms, Matrix queries, int start, int count, bool excludeSelf, Workspace workspace)
    {
        var d = queries.Cols;
        var c = workspace.Shortlist;
        MaxHeap.Clear(workspace.Keys.AsSpan(0, count * c), workspace.Ids.AsSpan(0, count * c));
        for (var r = 0; r < count; r++)
        {
            var row = queries.Row(start + r);
            workspace.QueryNorms[r] = System.Numerics.Tensors.TensorPrimitives.Dot(row, row);
        }
        for (var refStart = 0; refStart < reference.Rows; refStart += ReferenceBlock)
        {
            var refCount = Math.Min(ReferenceBlock, reference.Rows - refStart);
            Gemm.MultiplyTransposed(queries.RowBlock(start, count), count, reference.RowBlock(refStart, refCount), refCount, d, workspace.Dots);
            for (var r = 0; r < count; r++)
            {
                var keys = workspace.Keys.AsSpan(r * c, c);
                var ids = workspace.Ids.AsSpan(r * c, c);
                var dots = workspace.Dots.AsSpan(r * refCount, refCount);
                var norms = referenceNorms.AsSpan(refStart, refCount);
                var queryNorm = workspace.QueryNorms[r];
                var self = excludeSelf ? start + r - refStart : -1;
                var worst = keys[0];
                for (var j = 0; j < refCount; j++)
                {
                    var distance = queryNorm + norms[j] - 2f * dots[j];
                    if (distance < worst && j != self)
                    {
                        MaxHeap.ReplaceRoot(keys, ids, distance, refStart + j);
                        worst = keys[0];
                    }
                }
            }
        }
    }

    /// <summary>Recomputes the shortlisted distances directly and writes the best k of each query, ascending.</summary>
    private static void Refine(Matrix reference, Matrix queries, int start, int count, int k, Workspace workspace, int[] indices, float[] distances)
    {
        var c = workspace.Shortlist;
        for (var r = 0; r < count; r++)
        {
            var keys = workspace.Keys.AsSpan(r * c, c);
            var ids = workspace.Ids.AsSpan(r * c, c);
            var query = queries.Row(start + r);
            for (var j = 0; j < c; j++)
            {
                keys[j] = SquaredEuclidean.Distance(query, reference.Row(ids[j]));
            }
            MaxHeap.SortAscending(keys, ids);
            var offset = (start + r) * k;
            for (var j = 0; j < k; j++)
            {
                indices[offset + j] = ids[j];
                distances[offset + j] = MathF.Sqrt(keys[j]);
            }
        }
    }

    private sealed class Workspace(int shortlist, int rows)
    {
        public int Shortlist { get; } = shortlist;
        public float[] Dots { get; } = new float[rows * ReferenceBlock];
        public float[] QueryNorms { get; } = new float[rows];
        public float[] Keys { get; } = new float[rows * shortlist];
        public int[] Ids { get; } = new int[rows * shortlist];
    }
}
