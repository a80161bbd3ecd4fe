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
/// tolerance; the best restart (lowest inertia, or highest final log-likelihood, ties to the earlier
/// restart) wins.
/// <para>
/// The restarts advance side by side, as <see cref="KMeans.Fit"/> runs them: each round asks every
/// shard once for the next statistics of every restart still running, so a fit costs as many
/// rounds (barriers across the shards, and checkpoints) as its longest restart has iterations, not
/// the sum over restarts. Each restart's trajectory depends on its own statistics alone, so the
/// result is the one restarts run one after another would give.
/// </para>
/// <para>
/// The state is advanced and handed to a checkpoint callback after every round, so a run resumed
/// from any checkpoint ends with the same model. The shards compute the next round while the
/// callback's task runs (a store's write hidden behind a round's work), and the state does not
/// change until that task has completed. Deterministic for a given seed and shard order,
/// whoever computes the shards. Every await continues in the caller's context (not
/// <c>ConfigureAwait(false)</c>): a host may checkpoint from the callback with services bound to its
/// own scheduler, such as an Orleans grain's persistent state. Not bit-identical to
/// <see cref="KMeans.Fit"/> on all rows: seeding uses the sample and sums are grouped by shard.
/// </para>
/// </remarks>
public static class ShardedClustering
{
    /// <summary>Runs (or resumes, from <paramref name="state"/>) the clustering to its final model.</summary>
    /// <param name="shards">Computes per-shard statistics.</param>
    /// <param name="sample">Seeded sample of the rows: k-means++ seeds and empty-cluster relocation.</param>
    /// <param name="kmeans">Clusters, Lloyd's iteration limit and tolerance, the seed, and (without a mixture) the restarts.</param>
    /// <param name="mixture">A Gaussian mixture's options (its restarts replace k-means'), or null for k-means.</param>
    /// <param name="state">The checkpoint to advance; a new one starts from scratch.</param>
    /// <param name="checkpoint">Called after every round with the state and a progress line; the state stays as it is until the returned task completes.</param>
    /// <param name="cancellationToken">Stops between rounds; the last checkpoint stays valid.</param>
    public static async Task<ShardedClusteringResult> FitAsync(IShardStatistics shards, Matrix sample, KMeansOptions kmeans, GaussianMixtureOptions? mixture,
        ShardedClusteringState state, Func<ShardedClusteringState, string, Task> checkpoint, CancellationToken cancellationToken)
    {
        ArgumentNullException.ThrowIfNull(shards);
        ArgumentNullException.ThrowIfNull(sample);
        ArgumentNullException.ThrowIfNull(kmeans);
        ArgumentNullException.ThrowIfNull(state);
        ArgumentNullException.ThrowIfNull(checkpoint);
        KMeans.Validate(sample, kmeans.Clusters, kmeans.Restarts, kmeans.MaxIterations, kmeans.Tolerance);
        var fit = new Fit(sample, kmeans, mixture);
        if (state.Restarts.Count == 0)
        {
            state.Restarts = [.. Enumerable.Range(0, fit.Restarts).Select(_ => new ShardedRestartState())];
        }
        else if (state.Restarts.Count != fit.Restarts)
        {
            throw new InvalidOperationException($"the clustering checkpoint holds {state.Restarts.Count} restarts where the options ask for {fit.Restarts}");
        }

        // Off the caller's scheduler: the seeding's parallel loop would queue its workers to
        // TaskScheduler.Current, which for a caller on a one-task-at-a-time scheduler (an Orleans
        // grain's) runs them one after another. Only a fit with a restart to seed (a new one) pays the hop.
        if (state.Restarts.Exists(r => r.Step == ShardedClusteringStep.Init))
        {
            await Task.Run(() => fit.Seed(state.Restarts), cancellationToken).ConfigureAwait(true);
        }
        // A round's statistics, unless no restart needs any or the fit was cancelled.
        Task<IReadOnlyList<IReadOnlyList<ShardAnswer>>>? Compute((List<int> Restarts, List<ShardQuery> Queries) next) =>
            next.Queries.Count > 0 && !cancellationToken.IsCancellationRequested ? shards.ComputeAsync(next.Queries, cancellationToken) : null;

        var round = fit.NextRound(state.Restarts);
        var computing = Compute(round);
        cancellationToken.ThrowIfCancellationRequested();
        while (computing is not null)
        {
            var answers = await computing.ConfigureAwait(true);
            for (var i = 0; i < round.Restarts.Count; i++)
            {
                fit.Apply(state.Restarts[round.Restarts[i]], round.Queries[i].Kind, answers[i]);
            }
            state.Rounds++;
            // The next round's queries first: choosing them may mark restarts done, so the state is
            // final for this round before the checkpoint sees it. The shards then compute that round
            // while the checkpoint is written (a store's round trip hidden behind a round's work);
            // nothing changes the state until both are done.
            round = fit.NextRound(state.Restarts);
            var saving = checkpoint(state, Describe(state));
            computing = Compute(round);
            await (computing is null ? saving : Task.WhenAll(saving, computing)).ConfigureAwait(true);
            cancellationToken.ThrowIfCancellationRequested();
        }
        return await FinishAsync(shards, state, mixture is not null, cancellationToken).ConfigureAwait(true);
    }

    /// <summary>The best model with its final score from one more pass, so it describes the parameters returned rather than the ones before the last update.</summary>
    private static async Task<ShardedClusteringResult> FinishAsync(IShardStatistics shards, ShardedClusteringState state, bool mixture, CancellationToken cancellationToken)
    {
        var bestIndex = 0;
        for (var r = 1; r < state.Restarts.Count; r++)
        {
            var (candidate, best) = (state.Restarts[r], state.Restarts[bestIndex]);
            if (mixture ? candidate.Trace[^1] > best.Trace[^1] : candidate.Inertia < best.Inertia)
            {
                bestIndex = r;
            }
        }
        var restart = state.Restarts[bestIndex];
        if (mixture)
        {
            var statistics = Reduce(await Ask(shards, new ShardQuery(bestIndex, ShardQueryKind.Mixture, restart.Model!, default), cancellationToken).ConfigureAwait(true), a => a.Mixture);
            var model = LoadMixture(restart.Model!);
            return new ShardedClusteringResult(model.WithFit(statistics.MeanLogLikelihood, restart.Trace.Count, restart.Converged, [.. restart.Trace]),
                restart.Trace.Count, restart.Converged);
        }
        var kmeans = KMeansModel.Load(new MemoryStream(restart.Model!));
        var final = Reduce(await Ask(shards, new ShardQuery(bestIndex, ShardQueryKind.KMeansInertia, restart.Model!, default), cancellationToken).ConfigureAwait(true), a => a.KMeans);
        return new ShardedClusteringResult(new KMeansModel(kmeans.Centres, kmeans.ClusterCount, kmeans.Dimension, final.Inertia, restart.Iteration, restart.Converged),
            restart.Iteration, restart.Converged);
    }

    private static async Task<IReadOnlyList<ShardAnswer>> Ask(IShardStatistics shards, ShardQuery query, CancellationToken cancellationToken) =>
        (await shards.ComputeAsync([query], cancellationToken).ConfigureAwait(true))[0];

    private static string Describe(ShardedClusteringState state)
    {
        var steps = state.Restarts.GroupBy(r => r.Step).OrderBy(g => g.Key).Select(g => $"{g.Count()} {Describe(g.Key)}");
        return $"round {state.Rounds}, restarts: {string.Join(", ", steps)}";
    }

    private static string Describe(ShardedClusteringStep step) => step switch
    {
        ShardedClusteringStep.Init => "seeding",
        ShardedClusteringStep.KMeans => "in k-means",
        ShardedClusteringStep.KMeansScore => "scoring",
        ShardedClusteringStep.EmInit => "starting EM",
        ShardedClusteringStep.Em => "in EM",
        _ => "done",
    };

    /// <summary>The options of one fit, and the moves of a restart from one round to the next.</summary>
    private sealed class Fit(Matrix sample, KMeansOptions kmeans, GaussianMixtureOptions? mixture)
    {
        private readonly double _tolerance = kmeans.Tolerance * KMeans.MeanFeatureVariance(sample);

        public int Restarts { get; } = mixture?.Restarts ?? kmeans.Restarts;

        private int K => kmeans.Clusters;

        /// <summary>k-means++ on the sample for every restart not yet seeded, side by side (each from its own generator).</summary>
        public void Seed(List<ShardedRestartState> restarts)
        {
            var unseeded = Enumerable.Range(0, restarts.Count).Where(r => restarts[r].Step == ShardedClusteringStep.Init).ToArray();
            Parallel.ForEach(unseeded, r =>
            {
                // The generators of KMeans.Fit's first restart under GaussianMixture.Fit's restart seed, or of KMeans.Fit's restart r.
                var rng = mixture is not null
                    ? Rng.Derive(Rng.Derive(kmeans.Seed, RandomStreams.Restart, (ulong)r).NextUInt64(), RandomStreams.Restart, 0)
                    : Rng.Derive(kmeans.Seed, RandomStreams.Restart, (ulong)r);
                var restart = restarts[r];
                restart.Model = Save(new KMeansModel(KMeansPlusPlus.Choose(sample, K, rng), K, sample.Cols, 0, 0, false));
                restart.Step = ShardedClusteringStep.KMeans;
                restart.Iteration = 0;
                restart.Converged = false;
            });
        }

        /// <summary>The next round: what every restart still running needs of the shards.</summary>
        public (List<int> Restarts, List<ShardQuery> Queries) NextRound(List<ShardedRestartState> restarts)
        {
            var running = new List<int>();
            var queries = new List<ShardQuery>();
            for (var r = 0; r < restarts.Count; r++)
            {
                if (NextQuery(r, restarts[r]) is { } query)
                {
                    running.Add(r);
                    queries.Add(query);
                }
            }
            return (running, queries);
        }

        /// <summary>What restart <paramref name="index"/> needs of the shards next, or null when it is done.</summary>
        private ShardQuery? NextQuery(int index, ShardedRestartState restart)
        {
            if (restart.Step == ShardedClusteringStep.Em && (restart.Trace.Count >= mixture!.MaxIterations || restart.Converged))
            {
                restart.Step = ShardedClusteringStep.Done;
            }
            return restart.Step switch
            {
                ShardedClusteringStep.KMeans => new ShardQuery(index, ShardQueryKind.KMeans, restart.Model!, default),
                ShardedClusteringStep.KMeansScore => new ShardQuery(index, ShardQueryKind.KMeansInertia, restart.AssignedWith!, default),
                ShardedClusteringStep.EmInit => new ShardQuery(index, ShardQueryKind.MixtureFromCentres, restart.Model!, mixture!.CovarianceType),
                ShardedClusteringStep.Em => new ShardQuery(index, ShardQueryKind.Mixture, restart.Model!, default),
                ShardedClusteringStep.Done => null,
                _ => throw new InvalidOperationException($"a restart in step {restart.Step} has no query"),
            };
        }

        /// <summary>Advances the restart by the reduced answers to its query.</summary>
        public void Apply(ShardedRestartState restart, ShardQueryKind kind, IReadOnlyList<ShardAnswer> answers)
        {
            switch (kind)
            {
                case ShardQueryKind.KMeans:
                {
                    var statistics = Reduce(answers, a => a.KMeans);
                    var previous = LoadCentres(restart.Model!);
                    var next = (float[])previous.Clone();
                    statistics.WriteMeans(next);
                    RelocateEmptyClusters(sample, statistics.Counts, next, K);
                    restart.Iteration++;
                    restart.Converged = KMeans.SquaredShift(previous, next) <= _tolerance;
                    if (restart.Converged || restart.Iteration == kmeans.MaxIterations)
                    {
                        // A k-means restart is scored by the last assignment's inertia, to the centres it was made with (as KMeans.Fit's).
                        restart.AssignedWith = mixture is null ? restart.Model : null;
                        restart.Step = mixture is null ? ShardedClusteringStep.KMeansScore : ShardedClusteringStep.EmInit;
                    }
                    restart.Model = Save(new KMeansModel(next, K, sample.Cols, 0, restart.Iteration, restart.Converged));
                    break;
                }
                case ShardQueryKind.KMeansInertia:
                    restart.Inertia = Reduce(answers, a => a.KMeans).Inertia;
                    restart.AssignedWith = null;
                    restart.Step = ShardedClusteringStep.Done;
                    break;
                case ShardQueryKind.MixtureFromCentres:
                    restart.Model = Save(Reduce(answers, a => a.Mixture).ToModel(mixture!.Ridge));
                    restart.Step = ShardedClusteringStep.Em;
                    restart.Iteration = 0;
                    restart.Converged = false;
                    restart.Trace = [];
                    break;
                case ShardQueryKind.Mixture:
                {
                    var statistics = Reduce(answers, a => a.Mixture);
                    var logLikelihood = statistics.MeanLogLikelihood;
                    var previous = restart.Trace.Count > 0 ? restart.Trace[^1] : double.NegativeInfinity;
                    restart.Trace.Add(logLikelihood);
                    restart.Iteration = restart.Trace.Count;
                    restart.Model = Save(statistics.ToModel(mixture!.Ridge));
                    restart.Converged = Math.Abs(logLikelihood - previous) < mixture.Tolerance;
                    break;
                }
                default:
                    throw new ArgumentException($"unknown shard query kind {kind}", nameof(kind));
            }
        }
    }

    /// <summary>Merges per-shard statistics in shard order (the order fixes the floating-point sums).</summary>
    private static KMeansStatistics Reduce(IReadOnlyList<ShardAnswer> answers, Func<ShardAnswer, KMeansStatistics> part) =>
        Reduce(answers, part, (total, next) => total.Merge(next));

    /// <inheritdoc cref="Reduce(IReadOnlyList{ShardAnswer}, Func{ShardAnswer, KMeansStatistics})"/>
    private static GaussianMixtureStatistics Reduce(IReadOnlyList<ShardAnswer> answers, Func<ShardAnswer, GaussianMixtureStatistics> part) =>
        Reduce(answers, part, (total, next) => total.Merge(next));

    private static T Reduce<T>(IReadOnlyList<ShardAnswer> answers, Func<ShardAnswer, T> part, Action<T, T> merge)
    {
        var total = part(answers[0]);
        for (var i = 1; i < answers.Count; i++)
        {
            merge(total, part(answers[i]));
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
