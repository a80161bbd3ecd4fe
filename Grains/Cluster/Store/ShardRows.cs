using Distributed.Ml.Numerics;

namespace Distributed.Grains.Cluster.Store;

/// <summary>
/// Chosen rows of a job's per-shard matrices (images, features), in ascending order, as an
/// <see cref="IRowSource"/>: each pass reads the shards block by block through one buffer, so an
/// estimator that only passes over its rows (PCA) never holds them all. For MNIST's 60,000 images
/// that is 188 MB of floats not allocated and first-touched, page by page, on the silo that fits.
/// <see cref="ToMatrix"/> gathers them, as <see cref="ShardIngest.Gather"/> does, for an estimator
/// that needs them at once.
/// </summary>
/// <remarks>One pass at a time: the passes share their block buffer.</remarks>
public sealed class ShardRows : IRowSource
{
    private readonly ShardStore _store;
    private readonly ShardManifest _manifest;
    private readonly Func<ShardInfo, string> _shardRef;
    private readonly int[] _globalRows;
    private float[]? _buffer;

    /// <summary>Rows <paramref name="globalRows"/> (ascending, at least one) of the matrices <paramref name="shardRef"/> names, one per shard of <paramref name="manifest"/>.</summary>
    /// <exception cref="ArgumentException">No rows, rows out of order, or a row beyond the manifest's.</exception>
    /// <exception cref="InvalidDataException">The first shard holding a chosen row is not a readable 2-d matrix (named by its path).</exception>
    public ShardRows(ShardStore store, ShardManifest manifest, Func<ShardInfo, string> shardRef, int[] globalRows)
    {
        ArgumentNullException.ThrowIfNull(store);
        ArgumentNullException.ThrowIfNull(manifest);
        ArgumentNullException.ThrowIfNull(shardRef);
        ArgumentNullException.ThrowIfNull(globalRows);
        if (globalRows.Length == 0)
        {
            throw new ArgumentException("no rows to read", nameof(globalRows));
        }
        for (var i = 1; i < globalRows.Length; i++)
        {
            if (globalRows[i] <= globalRows[i - 1])
            {
                throw new ArgumentException($"rows must ascend: row {globalRows[i]} after {globalRows[i - 1]}", nameof(globalRows));
            }
        }
        if (globalRows[0] < 0 || globalRows[^1] >= manifest.Images)
        {
            throw new ArgumentException($"rows must lie in 0..{manifest.Images - 1}, got {globalRows[0]}..{globalRows[^1]}", nameof(globalRows));
        }
        _store = store;
        _manifest = manifest;
        _shardRef = shardRef;
        _globalRows = globalRows;
        Cols = store.ReadMatrixColumns(shardRef(ShardIngest.ByShard(manifest, globalRows).First().Shard));
    }

    /// <inheritdoc/>
    public int Rows => _globalRows.Length;

    /// <inheritdoc/>
    public int Cols { get; }

    /// <inheritdoc/>
    /// <exception cref="InvalidDataException">A shard is malformed, or holds other rows or columns than the manifest and the first shard say (named by its path).</exception>
    public void ForEachBlock(int blockRows, RowBlockVisitor visit)
    {
        ArgumentOutOfRangeException.ThrowIfLessThan(blockRows, 1);
        ArgumentNullException.ThrowIfNull(visit);
        var cols = Cols;
        var length = Math.Min(blockRows, Rows) * cols;
        // Kept for the next pass: a block of PCA's 4,096 rows is 12.8 MB of floats, which a new
        // array would first-touch again page by page.
        if (_buffer?.Length != length)
        {
            _buffer = new float[length];
        }
        var buffer = _buffer;
        var filled = 0;
        var visited = 0;
        foreach (var (shard, from, to) in ShardIngest.ByShard(_manifest, _globalRows))
        {
            // The chosen rows copied on into the buffer, and a full buffer visited: the visits'
            // blocks do not depend on where the shards split the rows.
            ShardIngest.ForEachChosenRow(_store, shard, _shardRef(shard), cols, _globalRows, from, to, (row, _) =>
            {
                row.CopyTo(buffer.AsSpan(filled * cols, cols));
                if (++filled * cols == buffer.Length)
                {
                    visit(buffer, visited, filled);
                    visited += filled;
                    filled = 0;
                }
            });
        }
        if (filled > 0)
        {
            visit(buffer.AsSpan(0, filled * cols), visited, filled);
        }
    }

    /// <inheritdoc/>
    public Matrix ToMatrix() => ShardIngest.Gather(_store, _manifest, _shardRef, _globalRows);
}
