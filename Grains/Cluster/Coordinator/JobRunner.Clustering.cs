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
    /// k-means and GMM run as <see cref="ShardedClustering"/> over the shards, checkpointed after every
    /// iteration: on shard worker grains, or here when this silo is the only one (every shard lives
    /// here then, and each iteration is one computation instead of a call per shard; the per-shard
    /// statistics and their order are the same, so the result is too). The other methods run here.
    /// </summary>
    private async Task ClusterAsync(CancellationToken cancellationToken)
    {
        if (!DistributedClustering)
        {
            await ClusterOnCoordinatorAsync(cancellationToken).ConfigureAwait(true);
            return;
        }
        var gmm = _options.Method == ClusteringMethod.Gmm;
        var kmeans = new KMeansOptions { Clusters = _options.Clusters, Restarts = _options.KMeansRestarts, Seed = _options.Seed };
        var mixture = gmm ? _options.Gmm with { Clusters = _options.Clusters, Seed = _options.Seed } : null;
        var restarts = mixture?.Restarts ?? kmeans.Restarts;
        var sample = ShardIngest.Gather(_store, _manifest, EmbeddingRef, SampleRows());
        IShardStatistics shards = _aloneInCluster()
            ? new InMemoryShardStatistics([.. _manifest.Shards.Select(s => _store.ReadMatrix(EmbeddingRef(s)))])
            : new ShardWorkerStatistics(this, cancellationToken);
        var result = await ShardedClustering.FitAsync(shards, sample, kmeans, mixture, _state.Clustering, async (state, detail) =>
        {
            Progress(state.Restarts.Count(r => r.Step == ShardedClusteringStep.Done), restarts, detail);
            await _save().ConfigureAwait(true);
        }, cancellationToken).ConfigureAwait(true);
        _store.Write(FinalClustererRef(PipelineModel.KindOf(result.Model)), result.Model.Save);
    }

    /// <summary>
    /// Whether the method runs as shard statistics reduced here (k-means, GMM). The others
    /// (mini-batch k-means, DBSCAN, agglomerative, auto's comparison) need every row at once and run
    /// on this coordinator over the gathered embedding: n × reduced dimensions, 2.4 MB for MNIST's
    /// 60,000 rows in 10-d.
    /// </summary>
    private bool DistributedClustering => _options.Method is ClusteringMethod.KMeans or ClusteringMethod.Gmm;

    private string FinalClustererRef(string kind) => ModelRefs.Of($"{_dir}/cluster", "final", kind);

    private string ClusteringFactsRef => $"{_dir}/cluster/{ClusteringFacts.FileName}";

    /// <summary>The in-process pipeline's clustering step on the gathered embedding; writes the model, each shard's labels, then the facts that mark it done.</summary>
    private async Task ClusterOnCoordinatorAsync(CancellationToken cancellationToken)
    {
        if (_store.Exists(ClusteringFactsRef))
        {
            return;
        }
        var detail = $"{ChoiceNames.Of(_options.Method)} on the coordinator over {_manifest.Images} rows";
        Progress(0, 1, detail);
        var embedded = ShardIngest.Concatenate(_store, _manifest, EmbeddingRef);
        var outcome = await Task.Run(() => ClusteringPipeline.Cluster(embedded, _options), cancellationToken).ConfigureAwait(true);
        foreach (var shard in _manifest.Shards)
        {
            _store.WriteLabels(LabelsRef(shard), outcome.Labels[shard.FirstRow..(shard.FirstRow + shard.Rows)]);
        }
        var kind = PipelineModel.KindOf(outcome.Model);
        _store.Write(FinalClustererRef(kind), outcome.Model.Save);
        _store.Write(ClusteringFactsRef, stream => JsonSerializer.Serialize(stream, ClusteringFacts.Of(kind, outcome), Json.Options));
        Progress(1, 1, detail);
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

    /// <summary>Labels every shard with the final model (for k-means and GMM; the other methods labelled the shards as they clustered).</summary>
    private async Task AssignAsync(CancellationToken cancellationToken)
    {
        if (!DistributedClustering)
        {
            return;
        }
        var finalRef = FinalClustererRef(_options.Method == ClusteringMethod.Gmm ? GaussianMixtureModel.Kind : KMeansModel.Kind);
        await ForEachShard(SiloRoles.Cpu, "labelling shards", shard => _grains.GetGrain<IShardWorkerGrain>(ShardKey(shard))
            .AssignShard(new AssignShard(EmbeddingRef(shard), finalRef, LabelsRef(shard))), cancellationToken).ConfigureAwait(true);
    }

    /// <summary>Each shard's statistics from the shard worker grain that holds it, one call per shard per round.</summary>
    private sealed class ShardWorkerStatistics(JobRunner runner, CancellationToken cancellationToken) : IShardStatistics
    {
        public async Task<IReadOnlyList<IReadOnlyList<ShardAnswer>>> ComputeAsync(IReadOnlyList<ShardQuery> queries, CancellationToken _)
        {
            var wire = queries.Select(q => new ShardStatisticsQuery(q.Restart, q.Kind, q.Model, q.CovarianceType)).ToArray();
            var byShard = await runner.Pending(SiloRoles.Cpu, runner._manifest.Shards, async shard =>
            {
                var request = new ComputeShardStatistics(runner.EmbeddingRef(shard), wire);
                var answer = await runner.CallAsync($"clustering statistics of shard {shard.Index}",
                    () => runner._grains.GetGrain<IShardWorkerGrain>(runner.ShardKey(shard)).ComputeStatistics(request), a => a.Seconds, cancellationToken).ConfigureAwait(true);
                return answer.Statistics;
            }).ConfigureAwait(true);
            return [.. queries.Select((query, q) => (IReadOnlyList<ShardAnswer>)[.. byShard.Select(shard => StatisticsCodec.Decode(shard[q], query.Kind))])];
        }
    }
}
