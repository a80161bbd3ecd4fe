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
using Distributed.Ml.Numerics;
using Distributed.Ml.Pipeline;
using Distributed.Ml.Rebalancing;
using Distributed.Ml.Refinement;
using Distributed.Ml.SemiSupervised;

namespace Distributed.Grains.Cluster.Coordinator;

public sealed partial class JobRunner
{
    /// <summary>
    /// The in-process pipeline's tail on the gathered embedding (n × reduced dimensions, small):
    /// internal metrics, label spreading with known labels, self-labelling (the CNN trained on a gpu
    /// silo, every shard relabelled by a shard worker), the held-out split, rebalancing; then the forest
    /// from tree groups grown by forest trainers, evaluation against true labels, and the outputs in
    /// the format of <see cref="LabellingJob"/>, whose model is then published to every predictor.
    /// </summary>
    private async Task FinishAsync(CancellationToken cancellationToken)
    {
        var clock = new StageClock(_observer);
        var embedded = ShardIngest.Concatenate(_store, _manifest, EmbeddingRef);
        var assignments = ShardIngest.ConcatenateLabels(_store, _manifest, LabelsRef);
        // Off the grain's scheduler: a mixture's BIC is a pass over every row.
        var clustering = await Task.Run(() => ReadClustering(embedded, assignments), cancellationToken).ConfigureAwait(true);
        var allKnown = _spec.KnownLabelsRef is null ? null : _store.ReadLabels(_spec.KnownLabelsRef);
        // Label spreading sees only the seeded known share; the other labels only score it.
        var known = allKnown is null ? null : KnownLabels.Choose(allKnown, _options.KnownFraction, _options.Seed);
        Progress(0, 1, "internal metrics and the first labels");
        var labelling = await Task.Run(() => ClusteringPipeline.Label(embedded, clustering, _options, known, clock), cancellationToken).ConfigureAwait(true);
        var refinement = _options.Refine == RefineMethod.Cnn
            ? await RefineAsync(embedded, labelling, known, cancellationToken).ConfigureAwait(true)
            : null;
        var images = _options.ForestInput == ClassifierInput.Pixels ? ShardIngest.Concatenate(_store, _manifest, s => s.ImagesRef) : null;
        var classifierRows = ClusteringPipeline.ClassifierRows(_options, images, embedded, refinement?.Features);
        Progress(0, 1, "the forest's training set");
        var training = await Task.Run(() => ClusteringPipeline.PrepareTraining(labelling, refinement, classifierRows, _options, clock), cancellationToken)
            .ConfigureAwait(true);

        _observer?.StageStarted(ClusteringPipeline.ClassifierStage);
        var forestClock = Stopwatch.StartNew();
        var forest = await GrowForestAsync(training.Rebalanced.Rows, cancellationToken).ConfigureAwait(true);
        // Read once here: the novelty stage that follows is timed on its own, not as the forest's.
        var forestTime = forestClock.Elapsed;
        _observer?.StageCompleted(ClusteringPipeline.ClassifierStage, forestTime);

        // The pixel novelty check's seeded sample, read from the image shards: the rows the in-process path fits on.
        var pixelNovelty = await Task.Run(() => clock.Run(ClusteringPipeline.NoveltyStage, () => SubspaceNoveltyModel.Fit(
            ShardIngest.Gather(_store, _manifest, s => s.ImagesRef, SubspaceNoveltyModel.SampleRows(_manifest.Images, _options.Seed)))), cancellationToken)
            .ConfigureAwait(true);
        var timings = new Dictionary<string, double>(_state.TimingsS);
        foreach (var (stage, seconds) in clock.Seconds)
        {
            timings[stage] = seconds;
        }
        timings[ClusteringPipeline.ClassifierStage] = forestTime.TotalSeconds;
        var extractor = _state.ExtractorRef is null ? null : ReadTransform(_state.ExtractorRef);
        var reducer = _state.ReducerRef is null ? null : ReadTransform(_state.ReducerRef);
        var stages = new FittedStages(extractor, reducer, embedded, classifierRows, clustering, training, forest, pixelNovelty);
        var result = await Task.Run(() => ClusteringPipeline.Complete(stages, _options, timings), cancellationToken).ConfigureAwait(true);
        var report = result.Report;
        if (allKnown is not null)
        {
            report = report with { LabelSpreadingAccuracy = LabellingJob.AccuracyOnUnknown(allKnown, known!, result.PseudoLabels) };
        }
        var jobTimings = new Dictionary<string, double>();
        if (_spec.LabelsRef is not null)
        {
            var evaluationClock = Stopwatch.StartNew();
            var trueLabels = _store.ReadLabels(_spec.LabelsRef);
            var scored = report;
            report = await Task.Run(() => LabellingJob.Evaluate(scored, trueLabels, assignments, refinement?.Labels), cancellationToken).ConfigureAwait(true);
            jobTimings[LabellingJob.EvaluateStage] = evaluationClock.Elapsed.TotalSeconds;
        }
        var version = WriteOutputs(result.Model, report, assignments, result.PseudoLabels, jobTimings);
        await CallAsync("publishing the model", async () =>
        {
            await _grains.GetGrain<IModelRegistryGrain>(0).Publish(new PublishedModel(version, $"{_state.OutputsRef}/{JobOutputs.Model}", _jobId, DateTimeOffset.UtcNow)).ConfigureAwait(true);
            return version;
        }, _ => 0, cancellationToken).ConfigureAwait(true);
    }

    /// <summary>
    /// Self-labelling: chooses the confident images here; each round has a gpu silo train a CNN
    /// (once: a resumed job reads a trained round's model back) and shard workers relabel every
    /// shard with it, adding its probabilities to the earlier rounds'; the next round trains on
    /// that round's own labels. The last round's model and features and the labels of the rounds'
    /// sum are the result, as <see cref="SelfLabelling.Fit"/>'s.
    /// </summary>
    private async Task<SelfLabellingResult> RefineAsync(Matrix embedded, PseudoLabelling labelling, int[]? known, CancellationToken cancellationToken)
    {
        _stage = ClusteringPipeline.RefineStage;
        _observer?.StageStarted(_stage);
        var clock = Stopwatch.StartNew();
        var options = ClusteringPipeline.SelfLabellingOptions(_options);
        // A pure function of the first labels: chosen again on a resumed job rather than stored.
        var (confidentRows, confidentLabels) = SelfLabelling.TrainingSet(embedded, labelling.Labels, labelling.Classes, known, options.ConfidentShare);
        var (rows, rowLabels) = (confidentRows, confidentLabels);
        for (var round = 0; ; round++)
        {
            var last = round == options.Rounds - 1;
            var modelRef = await TrainRefinerRoundAsync(round, rows, rowLabels, labelling.Classes, options, cancellationToken).ConfigureAwait(true);
            await ForEachShard(SiloRoles.Cpu, "relabelling shards", shard => _grains.GetGrain<IShardWorkerGrain>(ShardKey(shard))
                .RelabelShard(new RelabelShard(shard.ImagesRef, modelRef, round == 0 ? null : RoundsSumRef(shard, round - 1), RoundsSumRef(shard, round),
                    last ? CnnFeaturesRef(shard) : null, RefinedRef(shard, round))), cancellationToken).ConfigureAwait(true);
            var labels = ShardIngest.ConcatenateLabels(_store, _manifest, shard => RefinedRef(shard, round));
            if (last)
            {
                var model = _store.Read(modelRef, CnnClassifierModel.Load);
                var features = ShardIngest.Concatenate(_store, _manifest, CnnFeaturesRef);
                _state.TimingsS[ClusteringPipeline.RefineStage] = _state.TimingsS.GetValueOrDefault(ClusteringPipeline.RefineStage) + clock.Elapsed.TotalSeconds;
                _observer?.StageCompleted(ClusteringPipeline.RefineStage, clock.Elapsed);
                _stage = null;
                return new SelfLabellingResult(model, confidentRows, labels, features);
            }
            (rows, rowLabels) = SelfLabelling.NextRoundTrainingSet(labels, known);
        }
    }

    /// <summary>Has a gpu silo train round <paramref name="round"/>'s CNN, unless a checkpoint holds it; returns its store reference.</summary>
    private async Task<string> TrainRefinerRoundAsync(int round, int[] rows, int[] labels, int classes, SelfLabellingOptions options, CancellationToken cancellationToken)
    {
        if (round < _state.RefinerRefs.Count)
        {
            return _state.RefinerRefs[round];
        }
        var rowsRef = $"{_dir}/refine/train-rows-{round}.npy";
        var labelsRef = $"{_dir}/refine/train-labels-{round}.npy";
        _store.WriteLabels(rowsRef, rows);
        _store.WriteLabels(labelsRef, labels);
        var request = new TrainRefiner(_jobId, _spec.ShardsRef, rowsRef, labelsRef, classes, _options,
            ModelRefs.Of($"{_dir}/models", $"{ClusteringPipeline.RefineStage}-{round}", CnnClassifierModel.Kind), round);
        var reported = 0;
        await TrainOnGpuSiloAsync(RefinerTrainingKey(round), $"training the self-labelling CNN, round {round + 1} of {options.Rounds}", trainer => trainer.StartRefinerTraining(request), training =>
        {
            // A restarted training reports from its first epoch again.
            for (reported = Math.Min(reported, training.TrainingLoss.Length); reported < training.TrainingLoss.Length; reported++)
            {
                _observer?.StageProgress(ClusteringPipeline.RefineStage, round * options.Cnn.Epochs + reported + 1, options.Rounds * options.Cnn.Epochs,
                    $"CNN round {round + 1} epoch {reported + 1} on silo {training.SiloId}: loss {training.TrainingLoss[reported]:G4}");
            }
        }, cancellationToken).ConfigureAwait(true);
        // The training wrote its model where the request said.
        _state.RefinerRefs.Add(request.OutputRef);
        await _save().ConfigureAwait(true);
        return request.OutputRef;
    }

    // Named apart from the folders of the builds whose last round's labels were its CNN's alone, so
    // a job resumed across the change relabels rather than take those for the rounds' average.
    private string RefinedRef(ShardInfo shard, int round) => $"{_dir}/relabelled-{round}/{shard.Index:D5}.npy";

    private string RoundsSumRef(ShardInfo shard, int round) => $"{_dir}/rounds-sum-{round}/{shard.Index:D5}.npy";

    private string CnnFeaturesRef(ShardInfo shard) => $"{_dir}/cnn-features/{shard.Index:D5}.npy";

    /// <summary>
    /// Has forest trainers grow the trees in groups (per-tree seeds, so the grouping does not change
    /// the forest) and merges them in tree order; alone in the cluster, grows them here.
    /// </summary>
    private async Task<RandomForestModel> GrowForestAsync(LabelledRows rows, CancellationToken cancellationToken)
    {
        var options = ForestTrainerGrain.Options(_options.ForestTrees, _options.Seed);
        if (_aloneInCluster())
        {
            // A forest trainer would be on this silo too: growing the trees here spares writing the
            // training rows to the store and the trees (tens of MB) back, and gives the same forest
            // as one group of all the trees, which is what RandomForest.Fit grows.
            Progress(0, 1, "growing the forest on this silo");
            var forest = await Task.Run(() => RandomForest.Fit(rows.Data, rows.Labels, options), cancellationToken).ConfigureAwait(true);
            Progress(1, 1, "growing the forest on this silo");
            return forest;
        }
        var rowsRef = $"{_dir}/forest/train-rows.npy";
        var labelsRef = $"{_dir}/forest/train-labels.npy";
        _store.WriteMatrix(rowsRef, rows.Data);
        _store.WriteLabels(labelsRef, rows.Labels);
        var groups = new List<GrowTreeGroup>();
        for (var first = 0; first < _options.ForestTrees; first += _spec.TreesPerGroup)
        {
            // The count is in the name: a job resumed with another grouping must not take a group file of another size as done.
            var count = Math.Min(_spec.TreesPerGroup, _options.ForestTrees - first);
            groups.Add(new GrowTreeGroup(rowsRef, labelsRef, _options.Seed, first, count, $"{_dir}/forest/trees-{first:D5}-{count:D5}.bin"));
        }
        var grown = await FanOut(SiloRoles.Cpu, groups, "growing tree groups", group => $"trees from {group.FirstTree}",
            group => _grains.GetGrain<IForestTrainerGrain>($"{_jobId:N}/{group.FirstTree}").GrowTrees(group), cancellationToken).ConfigureAwait(true);
        return await Task.Run(() =>
        {
            var parts = grown.Select(g => _store.Read(g.OutputRef, TreeGroupCodec.Read)).ToList();
            var forest = RandomForest.Merge(parts[0].Classes, parts[0].FeatureCount, parts.Select(p => p.Group));
            var outOfBag = RandomForest.OutOfBagScore(forest, rows.Data, rows.Labels, options);
            return new RandomForestModel(forest.Classes, forest.FeatureCount, forest.Trees, forest.FeatureImportances, outOfBag);
        }, cancellationToken).ConfigureAwait(true);
    }

    private Ml.Features.IFittedTransform ReadTransform(string reference) => _store.ReadTransform(reference);

    /// <summary>Writes the outputs directory at once (staged, then renamed); returns the model version.</summary>
    private string WriteOutputs(PipelineModel model, PipelineReport report, int[] assignments, int[] labels, Dictionary<string, double> jobTimings)
    {
        string? version = null;
        var clock = Stopwatch.StartNew();
        var outputsRef = $"{_dir}/outputs";
        _store.WriteDirectory(outputsRef, staging =>
        {
            var modelDirectory = Path.Combine(staging, JobOutputs.Model);
            Directory.CreateDirectory(modelDirectory);
            var manifest = ModelBundle.WriteInto(modelDirectory, model, _options, report.ClusterSizes);
            version = manifest.ModelVersion;
            using (var stream = File.Create(Path.Combine(staging, JobOutputs.Assignments)))
            {
                NpyWriter.Write(stream, assignments, assignments.Length);
            }
            using (var stream = File.Create(Path.Combine(staging, JobOutputs.Labels)))
            {
                NpyWriter.Write(stream, labels, labels.Length);
            }
            jobTimings[LabellingJob.WriteStage] = clock.Elapsed.TotalSeconds;
            var metrics = LabellingJob.MetricsDocument(report, jobTimings, manifest.ModelVersion, _state.FeatureBackend);
            AddClusterFacts(metrics);
            File.WriteAllText(Path.Combine(staging, JobOutputs.Metrics), metrics.ToJsonString(Json.Options));
        });
        _state.OutputsRef = outputsRef;
        return version!;
    }

    /// <summary>Facts of the distributed run: shards, grain calls, and how call time splits between grain work and the rest (messaging, queueing behind other calls).</summary>
    private void AddClusterFacts(JsonObject metrics)
    {
        metrics["cluster_shards"] = _manifest.Shards.Count;
        metrics["cluster_grain_calls"] = _state.GrainCalls;
        metrics["cluster_call_s"] = Math.Round(_state.CallSeconds, 3);
        metrics["cluster_grain_s"] = Math.Round(_state.GrainSeconds, 3);
        metrics["cluster_wait_share"] = _state.CallSeconds > 0 ? Math.Round(Math.Max(0, 1 - _state.GrainSeconds / _state.CallSeconds), 4) : 0;
        metrics["cluster_resumptions"] = _state.Resumptions;
        // What the job holds in the store (shards, features, embedding, models, statistics) when its outputs are written.
        metrics["cluster_store_bytes"] = ShardStore.BytesOf(_store.PathOf(_dir + "/."));
    }
}
