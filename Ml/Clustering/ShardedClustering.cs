using Distributed.Ml.Numerics;

namespace Distributed.Ml.Clustering;

/// <summary>
/// k-means (Lloyd) and Gaussian-mixture EM over sharded data: the template of
/// <see cref="KMeans"/> and <see cref="GaussianMixture"/> with each iteration's statistics computed
/// per shard by an <see cref="IShardStatistics"/> and reduced here in shard order.
/// </summary>
/// <remarks>
/// Each restart seeds k-means++ on <c>sample</c> (a seeded sample of the rows, small enough for one
/// machine) from the generators <see cref="KMeans.Fit"/> and <see cref="GaussianMixture.Fit"/> use
/// for that restart; empty clusters move to the sample rows farthest from their centres, and the
/// k-means tolerance is relative to the sample's mean feature variance; a restart's score is its
/// last assignment's inertia, from one more full pass (iterations use Hamerly's bounds, see
/// <see cref="KMeansShardAssigner"/>, and give no inertia). For a mixture, each restart
/// runs k-means to convergence, starts EM from its hard labels and iterates to the log-likelihood
/// tolerance; the best restart (lowest inertia, or highest final log-likelihood) wins. The state is
/// advanced and handed to a checkpoint callback after every step and iteration, so a run resumed
/// from any checkpoint ends with the same model. Deterministic for a given seed and shard order,
/// whoever computes the shards. Every await continues in the caller's context (not
/// <c>ConfigureAwait(false)</c>): a host may checkpoint from the callback with services bound to its
/// own scheduler, such as an Orleans grain's persistent state. Not bit-identical to <see cref="KMeans.Fit"/> on all rows: seeding
/// uses the sample and sums are grouped by shard.
/// </remarks>
public static class ShardedClustering
{
    /// <summary>Runs (or resumes, from <paramref name="state"/>) the clustering to its final model.</summary>
    /// <param name="shards">Computes per-shard statistics.</param>
    /// <param name="sample">Seeded sample of the rows: k-means++ seeds and empty-cluster relocation.</param>
    /// <param name="kmeans">Clusters, Lloyd's iteration limit and tolerance, the seed, and (without a mixture) the restarts.</param>
    /// <param name="mixture">A Gaussian mixture's options (its restarts replace k-means'), or null for k-means.</param>
    /// <param name="state">The checkpoint to advance; a new one starts from scratch.</param>
    /// <param name="checkpoint">Called after every step and iteration with the state and a progress line.</param>
    /// <param name="cancellationToken">Stops between iterations; the last checkpoint stays valid.</param>
    public static async Task<ShardedClusteringResult> FitAsync(IShardStatistics shards, Matrix sample, KMeansOptions kmeans, GaussianMixtureOptions? mixture,
        ShardedClusteringState state, Func<ShardedClusteringState, string, Task> checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shards);
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(kmeans);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(checkpoint);
        var k = kmeans.Clusters;
        KMeans.Validate(sample, k, kmeans.Restarts, kmeans.MaxIterations, kmeans.Tolerance);
        var restarts = mixture?.Restarts ?? kmeans.Restarts;
        var tolerance = kmeans.Tolerance * KMeans.MeanFeatureVariance(sample);

        while (state.Step != ShardedClusteringStep.Done)
        {
            cancellationToken.ThrowIfCancellationRequested();
            var r = state.Restart;
            var what = $"restart {r + 1}/{restarts}";
            switch (state.Step)
            {
                case ShardedClusteringStep.Init:
                {
                    // The generators of KMeans.Fit's first restart under GaussianMixture.Fit's restart seed, or of KMeans.Fit's restart r.
                    var rng = mixture is not null
                        ? Rng.Derive(Rng.Derive(kmeans.Seed, RandomStreams.Restart, (ulong)r).NextUInt64(), RandomStreams.Restart, 0)
                        : Rng.Derive(kmeans.Seed, RandomStreams.Restart, (ulong)r);
                    var centres = KMeansPlusPlus.Choose(sample, k, rng);
                    state.Step = ShardedClusteringStep.KMeans;
                    state.Iteration = 0;
                    state.Model = Save(new KMeansModel(centres, k, sample.Cols, 0, 0, false));
                    state.Converged = false;
                    await checkpoint(state, $"{what}: k-means++").ConfigureAwait(true);
                    break;
                }
                case ShardedClusteringStep.KMeans:
                    if (state.Iteration < kmeans.MaxIterations && !state.Converged)
                    {
                        var previous = LoadCentres(state.Model!);
                        var statistics = Reduce(await shards.KMeansAsync(previous, k, inertia: false, cancellationToken).ConfigureAwait(true));
                        var next = (float[])previous.Clone();
                        statistics.WriteMeans(next);
                        RelocateEmptyClusters(sample, statistics.Counts, next, k);
                        state.Iteration++;
                        state.Converged = KMeans.SquaredShift(previous, next) <= tolerance;
                        if (state.Converged || state.Iteration == kmeans.MaxIterations)
                        {
                            // The restart's score, as KMeans.Fit's: the last assignment's inertia, to the centres it was made with.
                            state.Inertia = Reduce(await shards.KMeansAsync(previous, k, inertia: true, cancellationToken).ConfigureAwait(true)).Inertia;
                        }
                        state.Model = Save(new KMeansModel(next, k, sample.Cols, state.Inertia, state.Iteration, false));
                        await checkpoint(state, $"{what}: k-means iteration {state.Iteration}").ConfigureAwait(true);
                    }
                    else if (mixture is null)
                    {
                        if (state.BestScore is null || state.Inertia < state.BestScore)
                        {
                            (state.BestModel, state.BestScore, state.BestIterations, state.BestConverged) = (state.Model, state.Inertia, state.Iteration, state.Converged);
                        }
                        await NextRestart(state, restarts, checkpoint, what).ConfigureAwait(true);
                    }
                    else
                    {
                        state.Step = ShardedClusteringStep.EmInit;
                        await checkpoint(state, $"{what}: k-means done").ConfigureAwait(true);
                    }
                    break;
                case ShardedClusteringStep.EmInit:
                {
                    var centres = LoadCentres(state.Model!);
                    var statistics = Reduce(await shards.MixtureFromCentresAsync(centres, k, mixture!.CovarianceType, cancellationToken).ConfigureAwait(true));
                    state.Step = ShardedClusteringStep.Em;
                    state.Iteration = 0;
                    state.Model = Save(statistics.ToModel(mixture.Ridge));
                    state.Converged = false;
                    state.Trace = [];
                    await checkpoint(state, $"{what}: mixture from k-means").ConfigureAwait(true);
                    break;
                }
                case ShardedClusteringStep.Em:
                    if (state.Trace.Count < mixture!.MaxIterations && !state.Converged)
                    {
                        var model = LoadMixture(state.Model!);
                        var statistics = Reduce(await shards.MixtureAsync(model, cancellationToken).ConfigureAwait(true));
                        var logLikelihood = statistics.MeanLogLikelihood;
                        var previous = state.Trace.Count > 0 ? state.Trace[^1] : double.NegativeInfinity;
                        state.Trace.Add(logLikelihood);
                        state.Iteration = state.Trace.Count;
                        state.Model = Save(statistics.ToModel(mixture.Ridge));
                        state.Converged = Math.Abs(logLikelihood - previous) < mixture.Tolerance;
                        await checkpoint(state, $"{what}: EM iteration {state.Iteration}, log-likelihood {logLikelihood:0.0000}").ConfigureAwait(true);
                    }
                    else
                    {
                        if (state.BestScore is null || state.Trace[^1] > state.BestScore)
                        {
                            (state.BestModel, state.BestScore, state.BestIterations, state.BestConverged) = (state.Model, state.Trace[^1], state.Trace.Count, state.Converged);
                            state.BestTrace = [.. state.Trace];
                        }
                        await NextRestart(state, restarts, checkpoint, what).ConfigureAwait(true);
                    }
                    break;
                default:
                    throw new InvalidOperationException($"unknown clustering step {state.Step}");
            }
        }
        return await FinishAsync(shards, state, mixture is not null, cancellationToken).ConfigureAwait(true);
    }

    /// <summary>The best model with its final score from one more pass, so it describes the parameters returned rather than the ones before the last update.</summary>
    private static async Task<ShardedClusteringResult> FinishAsync(IShardStatistics shards, ShardedClusteringState state, bool mixture, CancellationToken cancellationToken)
    {
        if (mixture)
        {
            var best = LoadMixture(state.BestModel!);
            var statistics = Reduce(await shards.MixtureAsync(best, cancellationToken).ConfigureAwait(true));
            return new ShardedClusteringResult(best.WithFit(statistics.MeanLogLikelihood, state.BestIterations, state.BestConverged, [.. state.BestTrace]),
                state.BestIterations, state.BestConverged);
        }
        var kmeans = KMeansModel.Load(new MemoryStream(state.BestModel!));
        var final = Reduce(await shards.KMeansAsync(kmeans.Centres, kmeans.ClusterCount, inertia: true, cancellationToken).ConfigureAwait(true));
        return new ShardedClusteringResult(new KMeansModel(kmeans.Centres, kmeans.ClusterCount, kmeans.Dimension, final.Inertia, state.BestIterations, state.BestConverged),
            state.BestIterations, state.BestConverged);
    }

    private static Task NextRestart(ShardedClusteringState state, int restarts, Func<ShardedClusteringState, string, Task> checkpoint, string what)
    {
        state.Restart++;
        state.Step = state.Restart < restarts ? ShardedClusteringStep.Init : ShardedClusteringStep.Done;
        state.Iteration = 0;
        state.Converged = false;
        state.Trace = [];
        return checkpoint(state, $"{what} done");
    }

    /// <summary>Merges per-shard statistics in shard order (the order fixes the floating-point sums).</summary>
    private static KMeansStatistics Reduce(IReadOnlyList<KMeansStatistics> parts) => Reduce(parts, (total, part) => total.Merge(part));

    private static GaussianMixtureStatistics Reduce(IReadOnlyList<GaussianMixtureStatistics> parts) => Reduce(parts, (total, part) => total.Merge(part));

    private static T Reduce<T>(IReadOnlyList<T> parts, Action<T, T> merge)
    {
        var total = parts[0];
        for (var i = 1; i < parts.Count; i++)
        {
            merge(total, parts[i]);
        }
        return total;
    }

    /// <summary>Moves each empty cluster's centre onto a distinct sample row among those farthest from their nearest centre.</summary>
    private static void RelocateEmptyClusters(Matrix sample, long[] counts, float[] centres, int k)
    {
        if (!counts.Contains(0))
        {
            return;
        }
        var labels = new int[sample.Rows];
        var distances = new float[sample.Rows];
        NearestCentre.Assign(sample, centres, k, labels, distances);
        KMeans.RelocateEmptyClusters(sample, counts, distances, centres);
    }

    private static byte[] Save(KMeansModel model)
    {
        using var stream = new MemoryStream();
        model.Save(stream);
        return stream.ToArray();
    }

    private static byte[] Save(GaussianMixtureModel model)
    {
        using var stream = new MemoryStream();
        model.Save(stream);
        return stream.ToArray();
    }

    private static float[] LoadCentres(byte[] model) => KMeansModel.Load(new MemoryStream(model)).Centres;

    private static GaussianMixtureModel LoadMixture(byte[] model) => GaussianMixtureModel.Load(new MemoryStream(model));
}
