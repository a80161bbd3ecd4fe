using Distributed.Ml.Clustering;
using Distributed.Ml.Metrics;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Tests.Clustering;

/// <summary>
/// <see cref="ShardedClustering"/> over in-memory shards: known answers on separated blobs, the same
/// bits whoever computes the shards (kept bounds or fresh ones), and the same model after resuming
/// from any checkpoint.
/// </summary>
public class ShardedClusteringTests
{
    private static readonly KMeansOptions s_kmeans = new() { Clusters = 5, Restarts = 3, Seed = 7 };
    private static readonly GaussianMixtureOptions s_mixture = new() { Clusters = 5, Restarts = 2, Seed = 7 };

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task SeparatedBlobsAreFoundAsTheInProcessFitFindsThem(bool mixture)
    {
        var (data, truth) = TestData.Blobs(120, 5, 6, seed: 3);
        var result = await FitAsync(data, Shards(data, 4), mixture, new ShardedClusteringState());
        var labels = result.Model.Predict(data);
        Assert.Equal(1.0, AdjustedRandIndex.Score(truth, labels), 12);
        var inProcess = mixture
            ? (IClusterModel)GaussianMixture.Fit(data, s_mixture).Model
            : KMeans.Fit(data, s_kmeans).Model;
        Assert.Equal(1.0, AdjustedRandIndex.Score(inProcess.Predict(data), labels), 12);
        if (!mixture)
        {
            // The final inertia is every row's float squared distance to the returned centres.
            var model = (KMeansModel)result.Model;
            var expected = NearestCentre.Assign(data, model.Centres, 5, new int[data.Rows], new float[data.Rows]);
            Assert.Equal(expected, model.Inertia);
        }
        Assert.True(result.Converged);
    }

    [Theory]
    [InlineData(false, 1)]
    [InlineData(false, 3)]
    [InlineData(true, 2)]
    public async Task KeptBoundsAndFreshOnesGiveTheSameBits(bool mixture, int shardCount)
    {
        // Overlapping blobs: many rows change cluster between iterations and the bounds are often too loose to prune.
        var (data, _) = TestData.Blobs(150, 5, 4, seed: 11, separation: 1.5);
        var shards = Shards(data, shardCount);
        var kept = await FitAsync(data, new InMemoryShardStatistics(shards), mixture, new ShardedClusteringState());
        var fresh = await FitAsync(data, new FreshShardStatistics(shards), mixture, new ShardedClusteringState());
        Assert.Equal(Bytes(kept.Model), Bytes(fresh.Model));
        Assert.Equal(kept.Iterations, fresh.Iterations);
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task ResumingFromAnyCheckpointEndsWithTheSameModel(bool mixture)
    {
        var (data, _) = TestData.Blobs(100, 5, 4, seed: 5, separation: 3);
        var shards = Shards(data, 3);
        var checkpoints = new List<byte[]>();
        var whole = await FitAsync(data, new InMemoryShardStatistics(shards), mixture, new ShardedClusteringState(), state =>
        {
            checkpoints.Add(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(state));
            return Task.CompletedTask;
        });
        Assert.True(checkpoints.Count > 5, $"{checkpoints.Count} checkpoints");
        for (var index = 0; index < checkpoints.Count; index++)
        {
            var state = System.Text.Json.JsonSerializer.Deserialize<ShardedClusteringState>(checkpoints[index])!;
            // A coordinator that takes over starts with workers that have no bounds yet.
            var resumed = await FitAsync(data, new InMemoryShardStatistics(shards), mixture, state);
            Assert.True(Bytes(whole.Model).AsSpan().SequenceEqual(Bytes(resumed.Model)), $"resumed from checkpoint {index} of {checkpoints.Count}");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task RestartsAdvanceSideBySideSoRoundsFollowTheLongestRestart(bool mixture)
    {
        var (data, _) = TestData.Blobs(150, 5, 4, seed: 11, separation: 1.5);
        var state = new ShardedClusteringState();
        await FitAsync(data, Shards(data, 3), mixture, state);
        var restarts = state.Restarts;
        Assert.Equal(mixture ? s_mixture.Restarts : s_kmeans.Restarts, restarts.Count);
        Assert.All(restarts, r => Assert.Equal(ShardedClusteringStep.Done, r.Step));
        // Per restart: its Lloyd iterations, then one round to score them (k-means), or one to start EM and EM's
        // iterations (a mixture, whose Lloyd iteration count is not kept, so only the least it could take is known).
        if (mixture)
        {
            Assert.True(state.Rounds >= restarts.Max(r => r.Trace.Count) + 2, $"{state.Rounds} rounds");
        }
        else
        {
            Assert.Equal(restarts.Max(r => r.Iteration) + 1, state.Rounds);
            Assert.True(restarts.Select(r => r.Iteration).Distinct().Count() > 1, "the restarts should need different iteration counts here");
        }
    }

    [Theory]
    [InlineData(false)]
    [InlineData(true)]
    public async Task TheNextRoundIsComputedWhileACheckpointIsWrittenAndTheStateWaitsForIt(bool mixture)
    {
        var (data, _) = TestData.Blobs(100, 5, 4, seed: 5, separation: 3);
        var shards = Shards(data, 3);
        var synchronous = await FitAsync(data, new InMemoryShardStatistics(shards), mixture, new ShardedClusteringState());
        var recorder = new CheckpointOverlap(new InMemoryShardStatistics(shards));
        var overlapped = await FitAsync(data, recorder, mixture, new ShardedClusteringState(), recorder.WriteAsync);
        // Rounds were computed during writes, no write saw the state change under it, and the result is the same.
        Assert.True(recorder.RoundsDuringWrites > 5, $"{recorder.RoundsDuringWrites} rounds computed during a write");
        Assert.Equal(0, recorder.ChangedDuringWrites);
        Assert.Equal(Bytes(synchronous.Model), Bytes(overlapped.Model));
    }

    /// <summary>Writes checkpoints that take a while, counting the rounds asked for meanwhile and any change to the state before a write ends.</summary>
    private sealed class CheckpointOverlap(IShardStatistics shards) : IShardStatistics
    {
        private volatile bool _writing;

        public int RoundsDuringWrites { get; private set; }

        public int ChangedDuringWrites { get; private set; }

        public Task<IReadOnlyList<IReadOnlyList<ShardAnswer>>> ComputeAsync(IReadOnlyList<ShardQuery> queries, CancellationToken cancellationToken)
        {
            RoundsDuringWrites += _writing ? 1 : 0;
            return shards.ComputeAsync(queries, cancellationToken);
        }

        public async Task WriteAsync(ShardedClusteringState state)
        {
            _writing = true;
            var before = System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(state);
            await Task.Delay(TimeSpan.FromMilliseconds(5));
            ChangedDuringWrites += before.AsSpan().SequenceEqual(System.Text.Json.JsonSerializer.SerializeToUtf8Bytes(state)) ? 0 : 1;
            _writing = false;
        }
    }

    private static Task<ShardedClusteringResult> FitAsync(Matrix data, IShardStatistics shards, bool mixture, ShardedClusteringState state,
        Func<ShardedClusteringState, Task>? checkpoint = null) =>
        ShardedClustering.FitAsync(shards, data, s_kmeans, mixture ? s_mixture : null, state, (s, _) => checkpoint?.Invoke(s) ?? Task.CompletedTask,
            CancellationToken.None);

    private static Task<ShardedClusteringResult> FitAsync(Matrix data, IReadOnlyList<Matrix> shards, bool mixture, ShardedClusteringState state) =>
        FitAsync(data, new InMemoryShardStatistics(shards), mixture, state);

    private static Matrix[] Shards(Matrix data, int count)
    {
        var size = (data.Rows + count - 1) / count;
        return [.. Enumerable.Range(0, count).Select(s => data.SelectRows(Enumerable.Range(s * size, Math.Min(size, data.Rows - s * size)).ToArray()))];
    }

    private static byte[] Bytes(IClusterModel model)
    {
        using var stream = new MemoryStream();
        switch (model)
        {
            case KMeansModel kmeans:
                kmeans.Save(stream);
                break;
            case GaussianMixtureModel mixture:
                mixture.Save(stream);
                break;
        }
        return stream.ToArray();
    }

    /// <summary>A worker that restarted before every call: new workers, no bounds.</summary>
    private sealed class FreshShardStatistics(IReadOnlyList<Matrix> shards) : IShardStatistics
    {
        public Task<IReadOnlyList<IReadOnlyList<ShardAnswer>>> ComputeAsync(IReadOnlyList<ShardQuery> queries, CancellationToken cancellationToken) =>
            new InMemoryShardStatistics(shards).ComputeAsync(queries, cancellationToken);
    }
}
