using System.Text.Json;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Storage;
using Distributed.Ml.Clustering;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Cluster.Coordinator;

public sealed partial class JobRunner
{
    /// <summary>
    /// Distributed k-means (Lloyd) and, for GMM, EM from the k-means labels, with restarts: the
    /// template of <see cref="KMeans"/> and <see cref="GaussianMixture"/> with the per-block
    /// statistics computed per shard by workers and reduced here in shard order. Empty k-means
    /// clusters move to the sample rows farthest from their centres.
    /// </summary>
    private async Task ClusterAsync(CancellationToken cancellationToken)
    {
        if (!DistributedClustering)
        {
            await ClusterOnCoordinatorAsync(cancellationToken).ConfigureAwait(false);
            return;
        }
        var k = _options.Clusters;
        var kmeans = new KMeansOptions();
        var gmm = _options.Method == ClusteringMethod.Gmm;
        var restarts = gmm ? _options.Gmm.Restarts : _options.KMeansRestarts;
        var sample = ShardIngest.Gather(_store, _manifest, EmbeddingRef, SampleRows());
        var tolerance = kmeans.Tolerance * KMeans.MeanFeatureVariance(sample);
        var clusterDir = $"{_dir}/cluster";

        while (_state.Restart < restarts)
        {
            var r = _state.Restart;
            if (_state.Step == ClusterSteps.Init)
            {
                // The generators of KMeans.Fit's first restart under GaussianMixture.Fit's restart seed, or of KMeans.Fit's restart r.
                var rng = gmm
                    ? Rng.Derive(Rng.Derive(_options.Seed, RandomStreams.Restart, (ulong)r).NextUInt64(), RandomStreams.Restart, 0)
                    : Rng.Derive(_options.Seed, RandomStreams.Restart, (ulong)r);
                var centres = KMeansPlusPlus.Choose(sample, k, rng);
                var reference = $"{clusterDir}/r{r}-kmeans-0.npy";
                _store.WriteMatrix(reference, new Matrix(k, sample.Cols, centres));
                lock (_gate)
                {
                    _state.Step = ClusterSteps.KMeans;
                    _state.Iteration = 0;
                    _state.ModelRef = reference;
                    _state.Converged = false;
                    Checkpoint();
                }
            }
            if (_state.Step == ClusterSteps.KMeans)
            {
                while (_state.Iteration < kmeans.MaxIterations && !_state.Converged)
                {
                    var iteration = _state.Iteration + 1;
                    var centresRef = _state.ModelRef!;
                    var statistics = await ReduceKMeans(centresRef, $"{clusterDir}/r{r}-kmeans-{iteration}", $"restart {r + 1}/{restarts}: k-means iteration {iteration}", cancellationToken).ConfigureAwait(false);
                    var previous = _store.ReadMatrix(centresRef).Data;
                    var next = (float[])previous.Clone();
                    statistics.WriteMeans(next);
                    RelocateEmptyClusters(sample, statistics.Counts, next, k);
                    var reference = $"{clusterDir}/r{r}-kmeans-{iteration}.npy";
                    _store.WriteMatrix(reference, new Matrix(k, sample.Cols, next));
                    lock (_gate)
                    {
                        _state.Iteration = iteration;
                        _state.ModelRef = reference;
                        _state.Inertia = statistics.Inertia;
                        _state.Converged = SquaredShift(previous, next) <= tolerance;
                        Checkpoint();
                    }
                }
                lock (_gate)
                {
                    if (!gmm)
                    {
                        if (_state.BestScore is null || _state.Inertia < _state.BestScore)
                        {
                            (_state.BestModelRef, _state.BestScore, _state.BestIterations, _state.BestConverged) = (_state.ModelRef, _state.Inertia, _state.Iteration, _state.Converged);
                        }
                        NextRestart();
                        continue;
                    }
                    _state.Step = ClusterSteps.EmInit;
                    Checkpoint();
                }
            }
            if (_state.Step == ClusterSteps.EmInit)
            {
                var statistics = await ReduceMixture(_state.ModelRef!, true, $"{clusterDir}/r{r}-labels", $"restart {r + 1}/{restarts}: mixture from k-means", cancellationToken).ConfigureAwait(false);
                var reference = $"{clusterDir}/r{r}-em-0.gmm";
                _store.Write(reference, statistics.ToModel(_options.Gmm.Ridge).Save);
                lock (_gate)
                {
                    _state.Step = ClusterSteps.Em;
                    _state.Iteration = 0;
                    _state.ModelRef = reference;
                    _state.Converged = false;
                    _state.Trace = [];
                    Checkpoint();
                }
            }
            if (_state.Step == ClusterSteps.Em)
            {
                while (_state.Trace.Count < _options.Gmm.MaxIterations && !_state.Converged)
                {
                    var iteration = _state.Trace.Count + 1;
                    var statistics = await ReduceMixture(_state.ModelRef!, false, $"{clusterDir}/r{r}-em-{iteration}", $"restart {r + 1}/{restarts}: EM iteration {iteration}", cancellationToken).ConfigureAwait(false);
                    var logLikelihood = statistics.MeanLogLikelihood;
                    var reference = $"{clusterDir}/r{r}-em-{iteration}.gmm";
                    _store.Write(reference, statistics.ToModel(_options.Gmm.Ridge).Save);
                    lock (_gate)
                    {
                        var previous = _state.Trace.Count > 0 ? _state.Trace[^1] : double.NegativeInfinity;
                        _state.Trace.Add(logLikelihood);
                        _state.Iteration = iteration;
                        _state.ModelRef = reference;
                        _state.Converged = Math.Abs(logLikelihood - previous) < _options.Gmm.Tolerance;
                        Checkpoint();
                    }
                }
                lock (_gate)
                {
                    if (_state.BestScore is null || _state.Trace[^1] > _state.BestScore)
                    {
                        (_state.BestModelRef, _state.BestScore, _state.BestIterations, _state.BestConverged) = (_state.ModelRef, _state.Trace[^1], _state.Trace.Count, _state.Converged);
                        _state.BestTrace = [.. _state.Trace];
                    }
                    NextRestart();
                }
            }
        }
    }

    /// <summary>
    /// Whether the method runs as shard statistics reduced here (k-means, GMM). The others
    /// (mini-batch k-means, DBSCAN, agglomerative, auto's comparison) need every row at once and run
    /// on this coordinator over the gathered embedding: n × reduced dimensions, 2.4 MB for MNIST's
    /// 60,000 rows in 10-d.
    /// </summary>
    private bool DistributedClustering => _options.Method is ClusteringMethod.KMeans or ClusteringMethod.Gmm;

    private string FinalClustererRef(string kind) => $"{_dir}/cluster/final.{kind}";

    private string ClusteringFactsRef => $"{_dir}/cluster/{ClusteringFacts.FileName}";

    /// <summary>The in-process pipeline's clustering step on the gathered embedding; writes the model, each shard's labels, then the facts that mark it done.</summary>
    private async Task ClusterOnCoordinatorAsync(CancellationToken cancellationToken)
    {
        if (_store.Exists(ClusteringFactsRef))
        {
            return;
        }
        Progress(0, 1, $"{CliNames.Of(_options.Method)} on the coordinator over {_manifest.Images} rows");
        var embedded = ShardIngest.Concatenate(_store, _manifest, EmbeddingRef);
        var outcome = await Task.Run(() => ClusteringPipeline.Cluster(embedded, _options), cancellationToken).ConfigureAwait(false);
        foreach (var shard in _manifest.Shards)
        {
            _store.WriteLabels(LabelsRef(shard), outcome.Labels[shard.FirstRow..(shard.FirstRow + shard.Rows)]);
        }
        var kind = PipelineModel.KindOf(outcome.Model);
        _store.Write(FinalClustererRef(kind), outcome.Model.Save);
        _store.Write(ClusteringFactsRef, stream => JsonSerializer.Serialize(stream, ClusteringFacts.Of(kind, outcome), Json.Options));
        Progress(1, 1, $"{CliNames.Of(_options.Method)} on the coordinator over {_manifest.Images} rows");
    }

    /// <summary>The clustering of the job as the pipeline's report sees it, with the labels of every row.</summary>
    private ClusteringOutcome ReadClustering(Matrix embedded, int[] assignments)
    {
        if (!DistributedClustering)
        {
            var facts = _store.Read(ClusteringFactsRef, stream => JsonSerializer.Deserialize<ClusteringFacts>(stream, Json.Options))
                ?? throw new InvalidDataException($"{_store.PathOf(ClusteringFactsRef)} is empty");
            return facts.ToOutcome(_store.Read(FinalClustererRef(facts.Kind), stream => PipelineModel.LoadClusterer(facts.Kind, stream)), assignments);
        }
        if (_options.Method == ClusteringMethod.Gmm)
        {
            var mixture = _store.Read(FinalClustererRef(GaussianMixtureModel.Kind), GaussianMixtureModel.Load);
            return new ClusteringOutcome(mixture, assignments, mixture.Iterations, mixture.Converged,
                MeanLogLikelihood: mixture.LogLikelihood, Bic: mixture.Bic(embedded), LogLikelihoodTrace: mixture.LogLikelihoodTrace);
        }
        var kmeans = _store.Read(FinalClustererRef(KMeansModel.Kind), KMeansModel.Load);
        return new ClusteringOutcome(kmeans, assignments, kmeans.Iterations, kmeans.Converged, Inertia: kmeans.Inertia);
    }

    /// <summary>Labels every shard with the best model; reports the final inertia or log-likelihood from one more statistics pass.</summary>
    private async Task AssignAsync(CancellationToken cancellationToken)
    {
        if (!DistributedClustering)
        {
            return;
        }
        var gmm = _options.Method == ClusteringMethod.Gmm;
        var model = _state.BestModelRef!;
        var kind = gmm ? GaussianMixtureModel.Kind : KMeansModel.Kind;
        var finalRef = FinalClustererRef(kind);
        if (!_store.Exists(finalRef))
        {
            if (gmm)
            {
                var statistics = await ReduceMixture(model, false, $"{_dir}/cluster/final-statistics", "final log-likelihood", cancellationToken).ConfigureAwait(false);
                var fitted = _store.Read(model, GaussianMixtureModel.Load)
                    .WithFit(statistics.MeanLogLikelihood, _state.BestIterations, _state.BestConverged, [.. _state.BestTrace!]);
                _store.Write(finalRef, fitted.Save);
            }
            else
            {
                var statistics = await ReduceKMeans(model, $"{_dir}/cluster/final-statistics", "final inertia", cancellationToken).ConfigureAwait(false);
                var centres = _store.ReadMatrix(model);
                _store.Write(finalRef, new KMeansModel(centres.Data, centres.Rows, centres.Cols, statistics.Inertia, _state.BestIterations, _state.BestConverged).Save);
            }
        }
        await ForEachShard(ClusterQueues.Work, nameof(AssignShard), "labelling shards",
            s => new AssignShard(_job.JobId, s.Index, EmbeddingRef(s), finalRef, kind, LabelsRef(s)), cancellationToken).ConfigureAwait(false);
    }

    private void NextRestart()
    {
        _state.Restart++;
        _state.Step = ClusterSteps.Init;
        _state.Iteration = 0;
        _state.Converged = false;
        _state.Trace = [];
        Checkpoint();
    }

    private async Task<KMeansStatistics> ReduceKMeans(string centresRef, string outputPrefix, string detail, CancellationToken cancellationToken)
    {
        await ForEachShard(ClusterQueues.Work, nameof(ComputeKMeansStatistics), detail,
            s => new ComputeKMeansStatistics(_job.JobId, s.Index, EmbeddingRef(s), centresRef, $"{outputPrefix}-{s.Index:D5}.kms"), cancellationToken).ConfigureAwait(false);
        KMeansStatistics? total = null;
        foreach (var shard in _manifest.Shards)
        {
            var part = _store.Read($"{outputPrefix}-{shard.Index:D5}.kms", StatisticsCodec.ReadKMeans);
            if (total is null)
            {
                total = part;
            }
            else
            {
                total.Merge(part);
            }
        }
        return total!;
    }

    private async Task<GaussianMixtureStatistics> ReduceMixture(string modelRef, bool fromCentres, string outputPrefix, string detail, CancellationToken cancellationToken)
    {
        var covariance = _options.Gmm.CovarianceType.ToString();
        await ForEachShard(ClusterQueues.Work, nameof(ComputeMixtureStatistics), detail,
            s => new ComputeMixtureStatistics(_job.JobId, s.Index, EmbeddingRef(s), modelRef, fromCentres, covariance, $"{outputPrefix}-{s.Index:D5}.gms"), cancellationToken).ConfigureAwait(false);
        GaussianMixtureStatistics? total = null;
        foreach (var shard in _manifest.Shards)
        {
            var part = _store.Read($"{outputPrefix}-{shard.Index:D5}.gms", StatisticsCodec.ReadMixture);
            if (total is null)
            {
                total = part;
            }
            else
            {
                total.Merge(part);
            }
        }
        return total!;
    }

    private static double SquaredShift(float[] before, float[] after)
    {
        var shift = 0.0;
        for (var i = 0; i < before.Length; i++)
        {
            var delta = (double)after[i] - before[i];
            shift += delta * delta;
        }
        return shift;
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
        var order = Enumerable.Range(0, sample.Rows).ToArray();
        Array.Sort(order, (a, b) => distances[b] != distances[a] ? distances[b].CompareTo(distances[a]) : a.CompareTo(b));
        var next = 0;
        for (var c = 0; c < k; c++)
        {
            if (counts[c] == 0)
            {
                sample.Row(order[next++]).CopyTo(centres.AsSpan(c * sample.Cols, sample.Cols));
            }
        }
    }
}
