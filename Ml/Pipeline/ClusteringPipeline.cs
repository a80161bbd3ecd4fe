using Distributed.Ml.Clustering;
using Distributed.Ml.Embedding;
using Distributed.Ml.Features;
using Distributed.Ml.Forest;
using Distributed.Ml.Metrics;
using Distributed.Ml.Numerics;
using Distributed.Ml.Rebalancing;
using Distributed.Ml.Refinement;
using Distributed.Ml.SemiSupervised;

namespace Distributed.Ml.Pipeline;

/// <summary>
/// Fits the labelling pipeline: features → reduction → clustering → pseudo-labels →
/// self-labelling (a CNN relabels every image) → train/held-out split → rebalancing (SMOTE + Tomek
/// links) → random forest, scoring the clustering by internal metrics and the forest on the
/// held-out share of the pseudo-labels.
/// </summary>
/// <remarks>
/// Takes no true labels beyond the known ones a semi-supervised run passes in: with them, the
/// pseudo-labels are those label spreading gives every row on the reduced features (the
/// clustering still runs and is reported), otherwise the cluster ids. Evaluation against true
/// labels is a separate step (<see cref="ExternalEvaluation"/>), so they cannot leak into the fit.
/// Deterministic for a seed.
/// </remarks>
public static class ClusteringPipeline
{
    /// <summary>Stage names used for timings and progress.</summary>
    public const string FeaturesStage = "features", ReduceStage = "reduce", ClusterStage = "cluster",
        InternalMetricsStage = "internal_metrics", LabelSpreadingStage = "label_spreading", RefineStage = "refine", RebalanceStage = "rebalance",
        ClassifierStage = "classifier", NoveltyStage = "novelty";

    /// <summary>
    /// Runs every stage on the images (n × 784, in [0, 1]). <paramref name="knownLabels"/>, when
    /// given, holds a label for each image whose class is known and
    /// <see cref="LabelSpreading.Unknown"/> elsewhere (see <see cref="KnownLabels.Choose"/>).
    /// </summary>
    public static PipelineResult Fit(Matrix images, PipelineOptions options, IPipelineObserver? observer = null, int[]? knownLabels = null)
    {
        ArgumentNullException.ThrowIfNull(images);
        ArgumentNullException.ThrowIfNull(options);
        options.Validate();
        if (knownLabels is not null && knownLabels.Length != images.Rows)
        {
            throw new ArgumentException($"{knownLabels.Length} known labels for {images.Rows} images.", nameof(knownLabels));
        }
        CheckImageCount(images.Rows, options);
        var clock = new StageClock(observer);

        var extractor = clock.Run(FeaturesStage, () => FitFeatures(images, options, observer));
        var features = extractor?.Transform(images) ?? images;
        var reducer = clock.Run(ReduceStage, () => FitReducer(features, options));
        // The training rows keep UMAP's fitted layout (umap-learn's fit_transform). Transforming them
        // again would place each one against the fixed layout as if it were new, which scatters rows
        // between clusters: MNIST seed 3 went from accuracy 0.974 on the fitted layout to 0.871.
        var embedded = reducer is UmapModel umap ? umap.Embedding : reducer?.Transform(features) ?? features;

        var clustering = clock.Run(ClusterStage, () => Cluster(embedded, options));
        var labelling = Label(embedded, clustering, options, knownLabels, clock);
        var refinement = options.Refine == RefineMethod.Cnn
            ? clock.Run(RefineStage, () => SelfLabelling.Fit(images, embedded, labelling.Labels, labelling.Classes, knownLabels, SelfLabellingOptions(options),
                epoch => observer?.StageProgress(RefineStage, epoch.Epoch, epoch.MaxEpochs, $"epoch {epoch.Epoch}: loss {epoch.Loss:G4}, {epoch.RowsPerSecond:F0} images/s")))
            : null;
        var classifierRows = ClassifierRows(options, images, embedded, refinement?.Features);
        var training = PrepareTraining(labelling, refinement, classifierRows, options, clock);
        var forest = clock.Run(ClassifierStage, () =>
            RandomForest.Fit(training.Rebalanced.Rows.Data, training.Rebalanced.Rows.Labels, ForestOptions(options)));
        var pixelNovelty = clock.Run(NoveltyStage, () => SubspaceNoveltyModel.Fit(images.SelectRows(SubspaceNoveltyModel.SampleRows(images.Rows, options.Seed))));
        return Complete(new FittedStages(extractor, reducer, embedded, classifierRows, clustering, training, forest, pixelNovelty), options, clock.Seconds);
    }

    /// <summary>The rows the forest reads: the embedding, the pixels, or the CNN's features (<see cref="PipelineOptions.ForestInput"/>).</summary>
    public static Matrix ClassifierRows(PipelineOptions options, Matrix? images, Matrix embedded, Matrix? cnnFeatures)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.ForestInput switch
        {
            ClassifierInput.Pixels => images ?? throw new ArgumentNullException(nameof(images), "The forest reads the pixels."),
            ClassifierInput.Cnn => cnnFeatures ?? throw new ArgumentNullException(nameof(cnnFeatures), "The forest reads the CNN's features, which need refinement."),
            _ => embedded,
        };
    }

    /// <summary>Refuses a run with too few images for the clusters asked for.</summary>
    /// <exception cref="OptionsException">Fewer than two images per cluster.</exception>
    public static void CheckImageCount(int images, PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        if (images < options.Clusters * 2)
        {
            throw new OptionsException($"{images} images are too few for {options.Clusters} clusters (need at least {options.Clusters * 2})");
        }
    }

    /// <summary>The autoencoder's options for a pipeline run: its own, seeded by the run's seed (also what every feature backend of a cluster job trains with).</summary>
    public static AutoencoderOptions AutoencoderOptions(PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.Autoencoder with { Seed = options.Seed };
    }

    /// <summary>Self-labelling's options for a pipeline run: its own, the CNN seeded by the run's seed (also what the cluster's refinement trains with).</summary>
    public static SelfLabellingOptions SelfLabellingOptions(PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return options.SelfLabelling with { Cnn = options.SelfLabelling.Cnn with { Seed = options.Seed } };
    }

    /// <summary>The random forest's options for a pipeline run (also what each forest trainer of a cluster job uses).</summary>
    public static RandomForestOptions ForestOptions(PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        return new RandomForestOptions { Trees = options.ForestTrees, Seed = options.Seed };
    }

    /// <summary>
    /// The first stage's labels: internal scores of the clustering, then label spreading on the
    /// embedding when <paramref name="knownLabels"/> are given, else the clusters.
    /// </summary>
    public static PseudoLabelling Label(Matrix embedded, ClusteringOutcome clustering, PipelineOptions options, int[]? knownLabels, StageClock clock)
    {
        ArgumentNullException.ThrowIfNull(embedded);
        ArgumentNullException.ThrowIfNull(clustering);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        if (knownLabels is not null && knownLabels.Length != embedded.Rows)
        {
            throw new ArgumentException($"{knownLabels.Length} known labels for {embedded.Rows} rows.", nameof(knownLabels));
        }
        // The auto method has scored its choice already; the same numbers are reported.
        var scores = clock.Run(InternalMetricsStage, () =>
            clustering.Scores ?? InternalScores.Compute(embedded, clustering.Labels, options.SilhouetteSampleSize, options.Seed));
        var spreading = knownLabels is null ? null : clock.Run(LabelSpreadingStage, () =>
            LabelSpreading.Fit(embedded, knownLabels, options.LabelSpreading with { Seed = options.Seed }));
        var labels = spreading?.Labels ?? clustering.Labels;
        var classes = Math.Max(clustering.Model.ClusterCount, labels.Length == 0 ? 0 : labels.Max() + 1);
        var known = knownLabels is null ? (int?)null : knownLabels.Count(label => label != LabelSpreading.Unknown);
        return new PseudoLabelling(scores, spreading, known, labels, classes);
    }

    /// <summary>
    /// From the labels to the forest's training set: the refined labels when there are, else the
    /// first stage's; the held-out split, and rebalancing of the training rows of
    /// <paramref name="classifierRows"/> (the embedding, the pixels or the CNN's features).
    /// </summary>
    public static PseudoLabelledTraining PrepareTraining(PseudoLabelling labelling, SelfLabellingResult? refinement, Matrix classifierRows, PipelineOptions options,
        StageClock clock)
    {
        ArgumentNullException.ThrowIfNull(labelling);
        ArgumentNullException.ThrowIfNull(classifierRows);
        ArgumentNullException.ThrowIfNull(options);
        ArgumentNullException.ThrowIfNull(clock);
        var pseudoLabels = refinement?.Labels ?? labelling.Labels;
        if (pseudoLabels.Length != classifierRows.Rows)
        {
            throw new ArgumentException($"{pseudoLabels.Length} labels for {classifierRows.Rows} rows.", nameof(classifierRows));
        }
        var (train, heldOut) = Split(pseudoLabels, options);
        var rebalanced = clock.Run(RebalanceStage, () => Rebalance(classifierRows, pseudoLabels, train, options));
        return new PseudoLabelledTraining(labelling, refinement, pseudoLabels, train, heldOut, rebalanced);
    }

    /// <summary>
    /// Scores the forest on the held-out rows (never resampled: the forest that is scored is the
    /// forest that ships), fits the novelty check in the space the labels were decided in (the
    /// CNN's features after refinement, else the embedding), and assembles the model and the report.
    /// </summary>
    public static PipelineResult Complete(FittedStages stages, PipelineOptions options, IReadOnlyDictionary<string, double> timings)
    {
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(options);
        var (extractor, reducer, embedded, classifierRows, clustering, training, forest, pixelNovelty) = stages;
        var assignments = clustering.Labels;
        var predicted = forest.Predict(classifierRows.SelectRows(training.HeldOutRows));
        var expected = Array.ConvertAll(training.HeldOutRows, i => training.PseudoLabels[i]);
        var heldOutReport = ClassificationReport.Compute(expected, predicted);

        var clusterCount = clustering.Model.ClusterCount;
        var refinement = training.Refinement;
        var (noveltySpace, novelty) = refinement is null
            ? (NoveltySpace.Embedding, NoveltyModel.Fit(embedded, assignments, clusterCount))
            : (NoveltySpace.Cnn, NoveltyModel.Fit(refinement.Features, refinement.Labels, training.Labelling.Classes));
        var model = new PipelineModel(extractor, reducer, clustering.Model, forest, novelty, options.ForestInput, refinement?.Model, noveltySpace, pixelNovelty);
        var dbscan = clustering.Model as DbscanModel;
        var agglomerative = clustering.Model as AgglomerativeModel;
        var labelling = training.Labelling;
        var spreading = labelling.Spreading;
        var report = new PipelineReport
        {
            NImages = embedded.Rows,
            NClusters = options.Clusters,
            Method = ChoiceNames.Of(options.Method),
            Features = ChoiceNames.Of(options.Features),
            Reduce = ChoiceNames.Of(options.Reduce),
            Seed = options.Seed,
            NClustersFound = clusterCount,
            SelectedMethod = clustering.Selected is { } selected ? ChoiceNames.Of(selected) : null,
            SelectionRule = clustering.Candidates is null ? null : AutoClustering.SelectionRule,
            Candidates = clustering.Candidates,
            NoiseFraction = dbscan is null ? null : AutoClustering.NoiseFraction(assignments),
            DbscanEps = dbscan?.Eps,
            DbscanEpsChosen = dbscan?.EpsChosen,
            DbscanMinSamples = dbscan?.MinSamples,
            AgglomerativeLinkage = agglomerative is null ? null : ChoiceNames.Of(agglomerative.Linkage),
            AgglomerativeSampleSize = agglomerative?.TreeRows,
            Silhouette = labelling.Scores.Silhouette,
            DaviesBouldin = labelling.Scores.DaviesBouldin,
            CalinskiHarabasz = labelling.Scores.CalinskiHarabasz,
            ClusterSizes = ClusterSizes(assignments, clusterCount),
            Inertia = clustering.Inertia,
            ClusterIterations = clustering.Iterations,
            ClusterConverged = clustering.Converged,
            LogLikelihood = clustering.MeanLogLikelihood,
            Bic = clustering.Bic,
            LogLikelihoodTrace = clustering.LogLikelihoodTrace,
            PcaExplainedVariance = (extractor as PcaModel)?.ExplainedVarianceRatio.Sum(),
            TrainingLoss = (extractor as AutoencoderModel)?.TrainingLoss,
            ClassifierAccuracy = heldOutReport.Accuracy,
            ClassifierMacroF1 = heldOutReport.MacroF1,
            ClassifierAriVsClusters = AdjustedRandIndex.Score(expected, predicted),
            ClassifierOobScore = double.IsNaN(forest.OutOfBagScore) ? null : forest.OutOfBagScore,
            ClassifierHeldOut = training.HeldOutRows.Length,
            ClassifierInput = ChoiceNames.Of(options.ForestInput),
            Refine = ChoiceNames.Of(options.Refine),
            RefineConfidentRows = refinement?.ConfidentRows.Length,
            RefineRounds = refinement is null ? null : options.SelfLabelling.Rounds,
            RefineEpochs = refinement?.Model.TrainingLoss.Length,
            RefineTrainingLoss = refinement?.Model.TrainingLoss,
            RefineChangedShare = refinement is null ? null : ChangedShare(labelling.Labels, refinement.Labels),
            Rebalance = ChoiceNames.Of(options.Rebalance),
            ClassCountsBefore = training.Rebalanced.CountsBefore,
            ClassCountsAfter = training.Rebalanced.CountsAfter,
            KnownLabels = labelling.KnownCount,
            LabelSpreadingIterations = spreading?.Iterations,
            LabelSpreadingConverged = spreading?.Converged,
            ClassifierConfusionMatrix = heldOutReport.Confusion,
            TimingsS = new Dictionary<string, double>(timings),
        };
        return new PipelineResult(model, assignments, report, training.PseudoLabels);
    }

    private static IFittedTransform? FitFeatures(Matrix images, PipelineOptions options, IPipelineObserver? observer) => options.Features switch
    {
        FeatureMethod.Pca => Pca.Fit(images, new PcaOptions { Components = options.PcaComponents }),
        FeatureMethod.Autoencoder => Autoencoder.Fit(images, AutoencoderOptions(options), epoch =>
            observer?.StageProgress(FeaturesStage, epoch.Epoch, epoch.MaxEpochs, $"epoch {epoch.Epoch}: loss {epoch.Loss:G4}, {epoch.RowsPerSecond:F0} images/s")),
        _ => null,
    };

    private static IFittedTransform? FitReducer(Matrix features, PipelineOptions options) => options.Reduce switch
    {
        ReductionMethod.Pca => Pca.Fit(features, new PcaOptions { Components = options.ReducedDimensions }),
        ReductionMethod.Umap => Umap.Fit(features, options.Umap with { Components = options.ReducedDimensions, Seed = options.Seed }),
        _ => null,
    };

    /// <summary>Clusters the reduced rows by <see cref="PipelineOptions.Method"/>; <c>auto</c> tries every method and keeps the best by internal scores.</summary>
    /// <exception cref="OptionsException">The method found fewer than 2 clusters.</exception>
    public static ClusteringOutcome Cluster(Matrix embedded, PipelineOptions options)
    {
        ArgumentNullException.ThrowIfNull(embedded);
        ArgumentNullException.ThrowIfNull(options);
        if (options.Method == ClusteringMethod.Auto)
        {
            return AutoClustering.Run(embedded, options, method => Cluster(embedded, options, method));
        }
        var outcome = Cluster(embedded, options, options.Method);
        if (outcome.Model.ClusterCount < 2)
        {
            // A one-class forest and internal scores mean nothing; say which knobs change the count.
            throw new OptionsException($"{{0}} {ChoiceNames.Of(options.Method)} found {outcome.Model.ClusterCount} cluster(s)"
                + (outcome.Model is DbscanModel d ? $" with eps {d.Eps:G4} and min_samples {d.MinSamples}; change {{1}} or {{2}}" : "")
                + "; at least 2 are needed", PipelineSetting.Method, PipelineSetting.Eps, PipelineSetting.MinSamples);
        }
        return outcome;
    }

    private static ClusteringOutcome Cluster(Matrix embedded, PipelineOptions options, ClusteringMethod method)
    {
        switch (method)
        {
            case ClusteringMethod.KMeans:
                return FromKMeans(KMeans.Fit(embedded, new KMeansOptions
                {
                    Clusters = options.Clusters,
                    Restarts = options.KMeansRestarts,
                    Seed = options.Seed,
                }));
            case ClusteringMethod.MiniBatchKMeans:
                return FromKMeans(MiniBatchKMeans.Fit(embedded, new MiniBatchKMeansOptions
                {
                    Clusters = options.Clusters,
                    Seed = options.Seed,
                }));
            case ClusteringMethod.Gmm:
                var mixture = GaussianMixture.Fit(embedded, options.Gmm with { Clusters = options.Clusters, Seed = options.Seed });
                var model = mixture.Model;
                return new ClusteringOutcome(model, mixture.Labels, model.Iterations, model.Converged,
                    MeanLogLikelihood: model.LogLikelihood, Bic: model.Bic(embedded), LogLikelihoodTrace: model.LogLikelihoodTrace);
            case ClusteringMethod.Dbscan:
                if (options.Dbscan.Eps is null && embedded.Rows < options.Dbscan.MinSamples)
                {
                    throw new OptionsException($"choosing eps needs at least {{0}} ({options.Dbscan.MinSamples}) images, got {embedded.Rows}; give {{1}}",
                        PipelineSetting.MinSamples, PipelineSetting.Eps);
                }
                var dbscan = Dbscan.Fit(embedded, options.Dbscan);
                return new ClusteringOutcome(dbscan.Model, dbscan.Labels);
            case ClusteringMethod.Agglomerative:
                var tree = Agglomerative.Fit(embedded, options.Agglomerative with { Clusters = options.Clusters, Seed = options.Seed });
                return new ClusteringOutcome(tree.Model, tree.Labels);
            default:
                throw new OptionsException($"{{0}} {ChoiceNames.Of(method)} cannot be a single clustering step", PipelineSetting.Method);
        }
    }

    private static ClusteringOutcome FromKMeans(KMeansResult result) =>
        new(result.Model, result.Labels, result.Model.Iterations, result.Model.Converged, Inertia: result.Model.Inertia);

    /// <summary>
    /// A seeded split of the labelled rows (noise rows, label −1, are left out) into the forest's
    /// training rows and the held-out rows that score it, each ascending.
    /// </summary>
    public static (int[] Train, int[] HeldOut) Split(int[] pseudoLabels, PipelineOptions options)
    {
        var labelled = new List<int>(pseudoLabels.Length);
        for (var i = 0; i < pseudoLabels.Length; i++)
        {
            if (pseudoLabels[i] >= 0)
            {
                labelled.Add(i);
            }
        }
        var order = labelled.ToArray();
        Rng.Derive(options.Seed, RandomStreams.Split).Shuffle<int>(order);
        var heldOutCount = Math.Max(1, (int)Math.Round(order.Length * options.HeldOutFraction));
        var trainRows = order[heldOutCount..];
        var testRows = order[..heldOutCount];
        Array.Sort(trainRows);
        Array.Sort(testRows);
        return (trainRows, testRows);
    }

    /// <summary>The forest's training rows, rebalanced when asked; only training rows are resampled.</summary>
    private static SmoteTomekResult Rebalance(Matrix input, int[] pseudoLabels, int[] trainRows, PipelineOptions options)
    {
        var data = input.SelectRows(trainRows);
        var labels = Array.ConvertAll(trainRows, i => pseudoLabels[i]);
        if (options.Rebalance == RebalanceMethod.SmoteTomek)
        {
            return SmoteTomek.Resample(data, labels, options.SmoteTomek with { Seed = options.Seed });
        }
        var counts = LabelledRows.CountClasses(labels);
        return new SmoteTomekResult(new LabelledRows(data, labels), counts, counts, counts);
    }

    /// <summary>Share of the rows whose refined label differs from the first stage's (noise rows that got a label count as changed).</summary>
    public static double ChangedShare(int[] before, int[] after)
    {
        ArgumentNullException.ThrowIfNull(before);
        ArgumentNullException.ThrowIfNull(after);
        var changed = 0;
        for (var i = 0; i < before.Length; i++)
        {
            changed += before[i] != after[i] ? 1 : 0;
        }
        return before.Length == 0 ? 0 : (double)changed / before.Length;
    }

    /// <summary>Members per cluster id; noise rows (−1) are not counted.</summary>
    public static long[] ClusterSizes(int[] assignments, int clusters)
    {
        var sizes = new long[clusters];
        foreach (var label in assignments)
        {
            if (label >= 0 && label < clusters)
            {
                sizes[label]++;
            }
        }
        return sizes;
    }
}
