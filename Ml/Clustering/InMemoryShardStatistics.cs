using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// <see cref="IShardStatistics"/> over shards held in this process: each shard's answers as a
/// worker holding it would compute them (<see cref="ShardStatisticsWorker"/>), every
/// (query, shard) pair side by side on the thread pool.
/// </summary>
public sealed class InMemoryShardStatistics(IReadOnlyList<Matrix> shards) : IShardStatistics
{
    private readonly ShardStatisticsWorker[] _workers = [.. shards.Select(s => new ShardStatisticsWorker(s))];

    /// <inheritdoc/>
    public Task<IReadOnlyList<IReadOnlyList<ShardAnswer>>> ComputeAsync(IReadOnlyList<ShardQuery> queries, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(queries);
        return Task.Run<IReadOnlyList<IReadOnlyList<ShardAnswer>>>(() =>
        {
            // All pairs at once: one restart's 10,000-row shard is too little work to keep every
            // core busy, and the restarts' queries are independent (one per restart per round).
            var answers = new ShardAnswer[queries.Count][];
            for (var q = 0; q < answers.Length; q++)
            {
                answers[q] = new ShardAnswer[_workers.Length];
            }
            Parallel.For(0, queries.Count * _workers.Length, new ParallelOptions { CancellationToken = cancellationToken }, pair =>
            {
                var (q, s) = Math.DivRem(pair, _workers.Length);
                answers[q][s] = _workers[s].Answer(queries[q]);
            });
            return answers;
        }, cancellationToken);
    }
}
