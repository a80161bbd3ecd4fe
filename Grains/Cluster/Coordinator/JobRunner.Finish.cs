using System.Diagnostics;
using System.Text.Json.Nodes;
using Distributed.Grains.Cluster.Grains;
using Distributed.Grains.Cluster.Hosting;
using Distributed.Grains.Cluster.Store;
using Distributed.Grains.Interfaces.Cluster;
using Distributed.Grains.Jobs;
using Distributed.Grains.Storage;
using Distributed.Ml.Clustering;
using Distributed.Ml.Data;
using Distributed.Ml.Forest;
using Distributed.Ml.Metrics;
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Cluster.Coordinator;

public sealed partial class JobRunner
{
    /// <summary>
    /// Internal metrics on the whole embedding (n × reduced dimensions, small), the held-out split
    /// as the embedded pipeline draws it, the rebalancing seam, the forest from tree groups grown by
    /// forest trainers, evaluation against true labels, and the outputs in the format of
    /// <see cref="LabellingJob"/>.
    /// </summary>
    private async Task FinishAsync(CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        var embedded = ShardIngest.Concatenate(_store, _manifest, EmbeddingRef);
        var assignments = new int[_manifest.Images];
        foreach (var shard in _manifest.Shards)
        {
            _store.ReadLabels(LabelsRef(shard)).CopyTo(assignments, shard.FirstRow);
        }
        Progress(0, 1, "internal metrics");
        var (silhouette, daviesBouldin, calinskiHarabasz) = (
            Silhouette.Score(embedded, assignments, _options.SilhouetteSampleSize, _options.Seed),
            DaviesBouldin.Score(embedded, assignments),
            CalinskiHarabasz.Score(embedded, assignments));
        var timings = new Dictionary<string, double>(_state.TimingsS) { [ClusteringPipeline.InternalMetricsStage] = clock.Elapsed.TotalSeconds };

        clock.Restart();
        var (trainRows, testRows) = ClusteringPipeline.Split(assignments, _options);
        var (rows, labels) = _rebalancer.Rebalance(embedded.SelectRows(trainRows), Array.ConvertAll(trainRows, i => assignments[i]), _options);
        var rowsRef = $"{_dir}/forest/train-rows.npy";
        var labelsRef = $"{_dir}/forest/train-labels.npy";
        _store.WriteMatrix(rowsRef, rows);
        _store.WriteLabels(labelsRef, labels);
        var groups = new List<GrowTreeGroup>();
        for (var first = 0; first < _options.ForestTrees; first += _job.TreesPerGroup)
        {
            groups.Add(new GrowTreeGroup(_job.JobId, rowsRef, labelsRef, _options.Seed, first, Math.Min(_job.TreesPerGroup, _options.ForestTrees - first), $"{_dir}/forest/trees-{first:D5}.bin"));
        }
        var done = 0;
        Progress(0, groups.Count, "growing tree groups");
        var grown = await _dispatcher.Run<GrowTreeGroup, ShardCompleted>(ClusterQueues.Work, groups, nameof(GrowTreeGroup), _silo.ShardTimeout, (answer, seconds) =>
        {
            Count(answer.Seconds, seconds);
            Progress(Interlocked.Increment(ref done), groups.Count, "growing tree groups");
        }, cancellationToken).ConfigureAwait(false);
        var parts = grown.Select(g => _store.Read(g.OutputRef, TreeGroupCodec.Read)).ToList();
        var forestOptions = ForestTrainerGrain.Options(_options.ForestTrees, _options.Seed);
        var forest = RandomForest.Merge(parts[0].Classes, parts[0].FeatureCount, parts.Select(p => p.Group));
        forest = new RandomForestModel(forest.Classes, forest.FeatureCount, forest.Trees, forest.FeatureImportances, RandomForest.OutOfBagScore(forest, rows, labels, forestOptions));
        var predicted = forest.Predict(embedded.SelectRows(testRows));
        var expected = Array.ConvertAll(testRows, i => assignments[i]);
        var heldOut = ClassificationReport.Compute(expected, predicted);
        timings[ClusteringPipeline.ClassifierStage] = clock.Elapsed.TotalSeconds;

        var clusterer = _options.Method == ClusteringMethod.Gmm
            ? (IClusterModel)_store.Read($"{_dir}/cluster/final.{GaussianMixtureModel.Kind}", GaussianMixtureModel.Load)
            : _store.Read($"{_dir}/cluster/final.{KMeansModel.Kind}", KMeansModel.Load);
        var extractor = _state.ExtractorRef is null ? null : ReadTransform(_state.ExtractorRef);
        var reducer = _state.ReducerRef is null ? null : ReadTransform(_state.ReducerRef);
        var model = new PipelineModel(extractor, reducer, clusterer, forest, NoveltyModel.Fit(embedded, assignments, _options.Clusters));
        var report = Report(embedded, assignments, clusterer, silhouette, daviesBouldin, calinskiHarabasz, forest, heldOut, testRows.Length,
            AdjustedRandIndex.Score(expected, predicted), timings);
        if (_job.LabelsRef is not null)
        {
            clock.Restart();
            var evaluation = ExternalEvaluation.Compute(_store.ReadLabels(_job.LabelsRef), assignments);
            report = report with { Accuracy = evaluation.Accuracy, Nmi = evaluation.Nmi, Ari = evaluation.Ari };
            timings[LabellingJob.EvaluateStage] = clock.Elapsed.TotalSeconds;
        }
        WriteOutputs(model, report, assignments, timings);
    }

    private Ml.Features.IFittedTransform ReadTransform(string reference) =>
        _store.Read(reference, stream => PipelineModel.LoadTransform(GrainContext.KindOf(reference), stream));

    private PipelineReport Report(Matrix embedded, int[] assignments, IClusterModel clusterer, double silhouette, double daviesBouldin, double calinskiHarabasz,
        RandomForestModel forest, ClassificationReport heldOut, int heldOutCount, double heldOutAri, Dictionary<string, double> timings)
    {
        var sizes = ClusteringPipeline.ClusterSizes(assignments, _options.Clusters);
        var mixture = clusterer as GaussianMixtureModel;
        var kmeans = clusterer as KMeansModel;
        return new PipelineReport
        {
            NImages = _manifest.Images,
            NClusters = _options.Clusters,
            NClustersFound = _options.Clusters,
            Method = CliNames.Of(_options.Method),
            Features = CliNames.Of(_options.Features),
            Reduce = CliNames.Of(_options.Reduce),
            Seed = _options.Seed,
            Silhouette = silhouette,
            DaviesBouldin = daviesBouldin,
            CalinskiHarabasz = calinskiHarabasz,
            ClusterSizes = sizes,
            Inertia = kmeans?.Inertia,
            ClusterIterations = mixture?.Iterations ?? kmeans?.Iterations,
            ClusterConverged = mixture?.Converged ?? kmeans?.Converged,
            LogLikelihood = mixture?.LogLikelihood,
            Bic = mixture is null ? null : -2 * mixture.LogLikelihood * embedded.Rows + mixture.ParameterCount * Math.Log(embedded.Rows),
            LogLikelihoodTrace = mixture?.LogLikelihoodTrace,
            PcaExplainedVariance = null,
            TrainingLoss = _state.TrainingLoss,
            ClassifierAccuracy = heldOut.Accuracy,
            ClassifierMacroF1 = heldOut.MacroF1,
            ClassifierAriVsClusters = heldOutAri,
            ClassifierOobScore = double.IsNaN(forest.OutOfBagScore) ? null : forest.OutOfBagScore,
            ClassifierHeldOut = heldOutCount,
            ClassifierConfusionMatrix = heldOut.Confusion,
            TimingsS = timings,
        };
    }

    private void WriteOutputs(PipelineModel model, PipelineReport report, int[] assignments, Dictionary<string, double> timings)
    {
        var clock = Stopwatch.StartNew();
        var outputsRef = $"{_dir}/outputs";
        AtomicFile.WriteDirectory(_store.PathOf(outputsRef), staging =>
        {
            var modelDirectory = Path.Combine(staging, JobOutputs.Model);
            Directory.CreateDirectory(modelDirectory);
            var manifest = ModelBundle.WriteInto(modelDirectory, model, _options, report.ClusterSizes);
            using (var stream = File.Create(Path.Combine(staging, JobOutputs.Assignments)))
            {
                NpyWriter.Write(stream, assignments, assignments.Length);
            }
            timings[LabellingJob.WriteStage] = clock.Elapsed.TotalSeconds;
            var metrics = LabellingJob.MetricsDocument(report, new Dictionary<string, double>(), manifest.ModelVersion);
            AddClusterFacts(metrics);
            File.WriteAllText(Path.Combine(staging, JobOutputs.Metrics), metrics.ToJsonString(Json.Options));
        });
        lock (_gate)
        {
            _state.OutputsRef = outputsRef;
        }
    }

    /// <summary>Facts of the distributed run: shards, grain requests, and how request time splits between grain work and the rest (broker, queueing).</summary>
    private void AddClusterFacts(JsonObject metrics)
    {
        lock (_gate)
        {
            metrics["cluster_shards"] = _manifest.Shards.Count;
            metrics["cluster_messages"] = _state.Messages;
            metrics["cluster_request_s"] = Math.Round(_state.RequestSeconds, 3);
            metrics["cluster_grain_s"] = Math.Round(_state.GrainSeconds, 3);
            metrics["cluster_wait_share"] = _state.RequestSeconds > 0 ? Math.Round(1 - _state.GrainSeconds / _state.RequestSeconds, 4) : 0;
        }
    }
}
