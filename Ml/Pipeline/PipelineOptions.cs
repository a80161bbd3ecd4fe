using Distributed.Ml.Clustering;
using Distributed.Ml.Embedding;
using Distributed.Ml.Features;
using Distributed.Ml.Rebalancing;
using Distributed.Ml.Refinement;
using Distributed.Ml.SemiSupervised;

namespace Distributed.Ml.Pipeline;

/// <summary>Options of the whole labelling pipeline. Every default is documented here and nowhere else.</summary>
public sealed record PipelineOptions
{
    /// <summary>Number of clusters (pseudo-label classes). Default 10.</summary>
    public int Clusters { get; init; } = 10;

    /// <summary>Feature extractor. Default the autoencoder (the N2D recipe: autoencoder → UMAP → GMM).</summary>
    public FeatureMethod Features { get; init; } = FeatureMethod.Autoencoder;

    /// <summary>PCA components when <see cref="Features"/> is PCA. Default 50.</summary>
    public int PcaComponents { get; init; } = 50;

    /// <summary>
    /// Autoencoder settings when <see cref="Features"/> is the autoencoder (its seed is replaced by
    /// <see cref="Seed"/>). Defaults: <see cref="AutoencoderOptions"/>'s.
    /// </summary>
    public AutoencoderOptions Autoencoder { get; init; } = new();

    /// <summary>Reduction before clustering. Default UMAP.</summary>
    public ReductionMethod Reduce { get; init; } = ReductionMethod.Umap;

    /// <summary>Output dimension of the reduction. Default 10 (N2D: one per cluster).</summary>
    public int ReducedDimensions { get; init; } = 10;

    /// <summary>
    /// UMAP settings when <see cref="Reduce"/> is UMAP; its component count is replaced by
    /// <see cref="ReducedDimensions"/> and its seed by <see cref="Seed"/>. Default: N2D's choices
    /// over umap-learn's defaults — min_dist 0 (tight clusters for the clustering step) and 10
    /// neighbours (N2D found 10 more robust than 20 on MNIST; 20 gave unstable retrains).
    /// </summary>
    public UmapOptions Umap { get; init; } = new() { MinDist = 0, Neighbors = 10 };

    /// <summary>Clustering algorithm. Default a Gaussian mixture with full covariance.</summary>
    public ClusteringMethod Method { get; init; } = ClusteringMethod.Gmm;

    /// <summary>
    /// Gaussian mixture settings when <see cref="Method"/> is GMM; its cluster count and seed are
    /// replaced by <see cref="Clusters"/> and <see cref="Seed"/>. Default: full covariance (N2D)
    /// with 4 restarts instead of scikit-learn's 1, since EM from a k-means start can merge two
    /// digits and the best log-likelihood of a few starts avoids most such runs; EM on the 10-d
    /// embedding costs seconds.
    /// </summary>
    public GaussianMixtureOptions Gmm { get; init; } = new() { Restarts = 4 };

    /// <summary>
    /// DBSCAN settings when <see cref="Method"/> is DBSCAN or auto. Default: eps chosen from the
    /// k-distance curve's knee (<see cref="KDistanceKnee"/>) and scikit-learn's min_samples 5.
    /// DBSCAN finds its own number of clusters; <see cref="Clusters"/> does not apply to it.
    /// </summary>
    public DbscanOptions Dbscan { get; init; } = new();

    /// <summary>
    /// Agglomerative settings when <see cref="Method"/> is agglomerative or auto; its cluster count
    /// and seed are replaced by <see cref="Clusters"/> and <see cref="Seed"/>. Default:
    /// <see cref="AgglomerativeOptions"/>'s (Ward linkage, exact up to 20,000 rows, a seeded sample above).
    /// </summary>
    public AgglomerativeOptions Agglomerative { get; init; } = new();

    /// <summary>k-means restarts. Default 10.</summary>
    public int KMeansRestarts { get; init; } = 10;

    /// <summary>Share of pseudo-labelled rows held out to score the classifier. Default 0.2.</summary>
    public double HeldOutFraction { get; init; } = 0.2;

    /// <summary>Trees in the random forest. Default 100.</summary>
    public int ForestTrees { get; init; } = 100;

    /// <summary>
    /// Rebalancing of the forest's training rows (after the held-out split, so held-out rows are
    /// never resampled). Default SMOTE + Tomek links, the product's stated recipe.
    /// </summary>
    public RebalanceMethod Rebalance { get; init; } = RebalanceMethod.SmoteTomek;

    /// <summary>
    /// SMOTE + Tomek settings when <see cref="Rebalance"/> is SMOTE + Tomek; its seed is replaced by
    /// <see cref="Seed"/>. Defaults: <see cref="SmoteTomekOptions"/>'s (imblearn's).
    /// </summary>
    public SmoteTomekOptions SmoteTomek { get; init; } = new();

    /// <summary>
    /// Second labelling stage between the clustering and the forest. Default self-labelling by a
    /// CNN: on MNIST it lifted the labels' accuracy from 0.971 to 0.981 (seed 1), and the CNN's
    /// features let the served forest keep up with the refined labels on new images.
    /// </summary>
    public RefineMethod Refine { get; init; } = RefineMethod.Cnn;

    /// <summary>
    /// Self-labelling settings when <see cref="Refine"/> is CNN; the CNN's seed is replaced by
    /// <see cref="Seed"/>. Defaults: <see cref="Refinement.SelfLabellingOptions"/>'s.
    /// </summary>
    public SelfLabellingOptions SelfLabelling { get; init; } = new();

    /// <summary>
    /// What the forest is trained on and predicts from; null (the default) means the features the
    /// final labels were decided from: the CNN's with <see cref="RefineMethod.Cnn"/>, otherwise the
    /// reduced features. See <see cref="ForestInput"/>.
    /// </summary>
    public ClassifierInput? ClassifierInput { get; init; }

    /// <summary>The forest's input after the default: <see cref="ClassifierInput"/> when given.</summary>
    public ClassifierInput ForestInput => ClassifierInput ?? (Refine == RefineMethod.Cnn ? Pipeline.ClassifierInput.Cnn : Pipeline.ClassifierInput.Features);

    /// <summary>
    /// Share of the rows whose label is known when known labels are given (a seeded choice);
    /// the rest get labels by label spreading. Default 0.1.
    /// </summary>
    public double KnownFraction { get; init; } = 0.1;

    /// <summary>
    /// Label spreading settings when known labels are given; its seed is replaced by
    /// <see cref="Seed"/>. Defaults: <see cref="LabelSpreadingOptions"/>'s (scikit-learn's kNN kernel).
    /// </summary>
    public LabelSpreadingOptions LabelSpreading { get; init; } = new();

    /// <summary>Rows sampled for the silhouette score. Default 10,000.</summary>
    public int SilhouetteSampleSize { get; init; } = Metrics.Silhouette.DefaultSampleSize;

    /// <summary>Seed of every random choice in the pipeline. Default 42.</summary>
    public ulong Seed { get; init; } = 42;

    /// <summary>Checks every value.</summary>
    /// <exception cref="OptionsException">A value is out of range.</exception>
    public void Validate()
    {
        Require(Clusters >= 2, $"{{0}} must be at least 2, got {Clusters}", PipelineSetting.Clusters);
        Require(PcaComponents is >= 1 and <= Data.ImageShape.Pixels, $"{{0}} must be in 1..784, got {PcaComponents}", PipelineSetting.PcaComponents);
        Require(ReducedDimensions >= 1, $"{{0}} must be at least 1, got {ReducedDimensions}", PipelineSetting.ReducedDimensions);
        Require(KMeansRestarts >= 1, $"{{0}} must be at least 1, got {KMeansRestarts}", PipelineSetting.KMeansRestarts);
        Require(HeldOutFraction is > 0 and < 1, $"held-out fraction must be in (0, 1), got {HeldOutFraction}");
        Require(ForestTrees >= 1, $"{{0}} must be at least 1, got {ForestTrees}", PipelineSetting.ForestTrees);
        Require(SilhouetteSampleSize >= 2, $"silhouette sample size must be at least 2, got {SilhouetteSampleSize}");
        Require(Autoencoder.Epochs >= 1, $"{{0}} must be at least 1, got {Autoencoder.Epochs}", PipelineSetting.Epochs);
        Require(Autoencoder.BatchSize >= 1, $"{{0}} must be at least 1, got {Autoencoder.BatchSize}", PipelineSetting.BatchSize);
        Require(Autoencoder.EmbeddingSize >= 1, $"{{0}} must be at least 1, got {Autoencoder.EmbeddingSize}", PipelineSetting.EmbeddingSize);
        Require(Autoencoder.LearningRate > 0f && float.IsFinite(Autoencoder.LearningRate), $"{{0}} must be positive, got {Autoencoder.LearningRate}", PipelineSetting.LearningRate);
        Require(Umap.Neighbors >= 2, $"{{0}} must be at least 2, got {Umap.Neighbors}", PipelineSetting.UmapNeighbors);
        Require(Umap.MinDist >= 0 && double.IsFinite(Umap.MinDist), $"{{0}} must be non-negative, got {Umap.MinDist}", PipelineSetting.UmapMinDist);
        Require(SmoteTomek.Neighbors >= 1, $"SMOTE neighbours must be at least 1, got {SmoteTomek.Neighbors}");
        Require(KnownFraction is > 0 and <= 1, $"{{0}} must be in (0, 1], got {KnownFraction}", PipelineSetting.KnownFraction);
        Require(LabelSpreading.Neighbors >= 2, $"label spreading neighbours must be at least 2, got {LabelSpreading.Neighbors}");
        Require(LabelSpreading.Alpha is > 0 and < 1, $"label spreading alpha must be in (0, 1), got {LabelSpreading.Alpha}");
        Require(LabelSpreading.MaxIterations >= 1, $"label spreading iterations must be at least 1, got {LabelSpreading.MaxIterations}");
        Require(Gmm.Restarts >= 1, $"GMM restarts must be at least 1, got {Gmm.Restarts}");
        Require(Dbscan.Eps is null || (Dbscan.Eps > 0 && double.IsFinite(Dbscan.Eps.Value)), $"{{0}} must be positive, got {Dbscan.Eps}", PipelineSetting.Eps);
        Require(Dbscan.MinSamples >= (Dbscan.Eps is null ? 2 : 1),
            $"{{0}} must be at least {(Dbscan.Eps is null ? "2 when eps is chosen from the k-distance curve" : "1")}, got {Dbscan.MinSamples}", PipelineSetting.MinSamples);
        Require(Enum.IsDefined(Agglomerative.Linkage), $"unknown linkage {Agglomerative.Linkage}");
        Require(Agglomerative.MaxExactRows >= Clusters, $"agglomerative exact-row limit must be at least {{0}} ({Clusters}), got {Agglomerative.MaxExactRows}", PipelineSetting.Clusters);
        Require(Enum.IsDefined(Refine), $"unknown refinement {Refine}");
        Require(ForestInput != Pipeline.ClassifierInput.Cnn || Refine == RefineMethod.Cnn, "{0} cnn needs {1} cnn", PipelineSetting.ClassifierInput, PipelineSetting.Refine);
        Require(SelfLabelling.ConfidentShare is > 0 and <= 1, $"the confident share must be in (0, 1], got {SelfLabelling.ConfidentShare}");
        Require(SelfLabelling.Rounds is >= 1 and <= SelfLabellingOptions.MaxRounds, $"{{0}} must be 1 to {SelfLabellingOptions.MaxRounds}, got {SelfLabelling.Rounds}", PipelineSetting.RefineRounds);
        Require(SelfLabelling.Cnn.Epochs >= 1, $"CNN epochs must be at least 1, got {SelfLabelling.Cnn.Epochs}");
        Require(SelfLabelling.Cnn.BatchSize >= 1, $"CNN batch size must be at least 1, got {SelfLabelling.Cnn.BatchSize}");
        Require(SelfLabelling.Cnn.LearningRate > 0f && float.IsFinite(SelfLabelling.Cnn.LearningRate), $"CNN learning rate must be positive, got {SelfLabelling.Cnn.LearningRate}");
        Require(SelfLabelling.Cnn.LabelSmoothing is >= 0 and < 1, $"CNN label smoothing must be in [0, 1), got {SelfLabelling.Cnn.LabelSmoothing}");
        Require(Enum.IsDefined(SelfLabelling.Cnn.Schedule), $"unknown CNN learning-rate schedule {SelfLabelling.Cnn.Schedule}");
        if (Reduce == ReductionMethod.Pca)
        {
            var available = Features == FeatureMethod.Pca ? PcaComponents : Data.ImageShape.Pixels;
            Require(ReducedDimensions <= available, $"cannot reduce {available} features to {ReducedDimensions} dimensions");
        }
    }

    private static void Require(bool condition, string template, params PipelineSetting[] settings)
    {
        if (!condition)
        {
            throw new OptionsException(template, settings);
        }
    }
}
