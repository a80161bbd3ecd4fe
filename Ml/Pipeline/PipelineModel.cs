using Distributed.Ml.Clustering;
using Distributed.Ml.Embedding;
using Distributed.Ml.Features;
using Distributed.Ml.Forest;
using Distributed.Ml.Numerics;
using Distributed.Ml.Persistence;
using Distributed.Ml.Refinement;

namespace Distributed.Ml.Pipeline;

/// <summary>
/// Every fitted stage of a pipeline: feature extractor, optional reducer, clusterer and the
/// classifier trained on the pseudo-labels. Prediction uses only these fitted models.
/// </summary>
/// <remarks>
/// The classifier reads the embedded images (the reduced features), the raw pixels, or the
/// self-labelling CNN's features (<see cref="ClassifierInput"/>). An image is novel when it is far
/// from every label's group in the space the labels were decided in (<see cref="NoveltySpace"/>),
/// or far from the training images' pixel subspace (<see cref="PixelNovelty"/>). Prediction
/// computes only the representations these stages read: a model whose classifier and novelty
/// check both read the CNN's features never runs the feature extractor or the reducer.
/// </remarks>
public sealed class PipelineModel
{
    /// <summary>Stage names, in pipeline order.</summary>
    public const string FeaturesStage = "features", ReduceStage = "reduce", ClusterStage = "cluster", RefineStage = "refine", ClassifierStage = "classifier", NoveltyStage = "novelty",
        PixelNoveltyStage = "pixel-novelty";

    /// <summary>Assembles a model from fitted stages.</summary>
    public PipelineModel(IFittedTransform? features, IFittedTransform? reducer, IClusterModel clusterer, RandomForestModel classifier, NoveltyModel? novelty = null,
        ClassifierInput classifierInput = ClassifierInput.Features, CnnClassifierModel? refiner = null, NoveltySpace noveltySpace = NoveltySpace.Embedding,
        SubspaceNoveltyModel? pixelNovelty = null)
    {
        Features = features;
        Reducer = reducer;
        Clusterer = clusterer ?? throw new ArgumentNullException(nameof(clusterer));
        Classifier = classifier ?? throw new ArgumentNullException(nameof(classifier));
        Novelty = novelty;
        ClassifierInput = classifierInput;
        Refiner = refiner;
        NoveltySpace = noveltySpace;
        PixelNovelty = pixelNovelty;
        var embedded = reducer?.OutputDimension ?? features?.OutputDimension ?? Data.ImageShape.Pixels;
        if ((features?.InputDimension ?? Data.ImageShape.Pixels) != Data.ImageShape.Pixels
            || (reducer is not null && reducer.InputDimension != (features?.OutputDimension ?? Data.ImageShape.Pixels))
            || clusterer.Dimension != embedded
            || (refiner is not null && refiner.InputDimension != Data.ImageShape.Pixels)
            || (classifierInput == ClassifierInput.Cnn && refiner is null)
            || classifier.FeatureCount != classifierInput switch
            {
                ClassifierInput.Pixels => Data.ImageShape.Pixels,
                ClassifierInput.Cnn => refiner!.OutputDimension,
                _ => embedded,
            }
            || (noveltySpace == NoveltySpace.Cnn && refiner is null)
            || (novelty is not null && novelty.Dimension != (noveltySpace == NoveltySpace.Cnn ? refiner!.OutputDimension : embedded))
            || (pixelNovelty is not null && pixelNovelty.Dimension != Data.ImageShape.Pixels))
        {
            throw new ArgumentException("Pipeline stages disagree on their dimensions.");
        }
    }

    /// <summary>Feature extractor; null means raw pixels.</summary>
    public IFittedTransform? Features { get; }

    /// <summary>Reducer; null means none.</summary>
    public IFittedTransform? Reducer { get; }

    /// <summary>The clustering that defined the pseudo-labels.</summary>
    public IClusterModel Clusterer { get; }

    /// <summary>Classifier from embedded images to clusters.</summary>
    public RandomForestModel Classifier { get; }

    /// <summary>Novelty detector in <see cref="NoveltySpace"/>; null for bundles made before it existed.</summary>
    public NoveltyModel? Novelty { get; }

    /// <summary>The space <see cref="Novelty"/> measures in.</summary>
    public NoveltySpace NoveltySpace { get; }

    /// <summary>Novelty detector on the pixels; null for bundles made before it existed.</summary>
    public SubspaceNoveltyModel? PixelNovelty { get; }

    /// <summary>What the classifier reads: the embedded images, the pixels or the CNN's features.</summary>
    public ClassifierInput ClassifierInput { get; }

    /// <summary>The self-labelling CNN that refined the labels; null without refinement.</summary>
    public CnnClassifierModel? Refiner { get; }

    /// <summary>The representations of <paramref name="images"/> (n × 784, in [0, 1]) that this model's classifier and novelty checks read, and only those.</summary>
    public PredictionInputs Prepare(Matrix images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var noveltyIn = Novelty is null ? (NoveltySpace?)null : NoveltySpace;
        var embedded = ClassifierInput == ClassifierInput.Features || noveltyIn == NoveltySpace.Embedding ? Embed(images) : null;
        var cnn = ClassifierInput == ClassifierInput.Cnn || noveltyIn == NoveltySpace.Cnn ? Refiner!.Transform(images) : null;
        return new PredictionInputs(images, embedded, cnn);
    }

    /// <summary>The rows the classifier reads.</summary>
    public Matrix ClassifierRows(PredictionInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        return ClassifierInput switch
        {
            ClassifierInput.Pixels => inputs.Images,
            ClassifierInput.Cnn => inputs.CnnFeatures ?? throw new ArgumentException("The classifier reads the CNN's features.", nameof(inputs)),
            _ => inputs.Embedded ?? throw new ArgumentException("The classifier reads the embedding.", nameof(inputs)),
        };
    }

    /// <summary>Whether each image is novel by either check; null when the model has neither.</summary>
    public bool[]? IsNovel(PredictionInputs inputs)
    {
        ArgumentNullException.ThrowIfNull(inputs);
        var novel = Novelty?.IsNovel((NoveltySpace == NoveltySpace.Cnn ? inputs.CnnFeatures : inputs.Embedded)
            ?? throw new ArgumentException($"The novelty check reads the {(NoveltySpace == NoveltySpace.Cnn ? "CNN's features" : "embedding")}.", nameof(inputs)));
        if (PixelNovelty is null)
        {
            return novel;
        }
        var outside = PixelNovelty.IsNovel(inputs.Images);
        if (novel is not null)
        {
            for (var i = 0; i < outside.Length; i++)
            {
                outside[i] |= novel[i];
            }
        }
        return outside;
    }

    /// <summary>Images (n × 784, in [0, 1]) to the space the clusters live in.</summary>
    public Matrix Embed(Matrix images)
    {
        ArgumentNullException.ThrowIfNull(images);
        var features = Features?.Transform(images) ?? images;
        return Reducer?.Transform(features) ?? features;
    }

    /// <summary>Cluster and cluster probabilities of every image, from the classifier.</summary>
    public PipelinePrediction Predict(Matrix images)
    {
        var inputs = Prepare(images);
        var probabilities = Classifier.PredictProba(ClassifierRows(inputs));
        return new PipelinePrediction(Classifier.ArgMax(probabilities), probabilities, Classifier.Classes, IsNovel(inputs));
    }

    /// <summary>The stages to persist, in pipeline order.</summary>
    public IReadOnlyList<ModelStage> Stages()
    {
        var stages = new List<ModelStage>();
        if (Features is not null)
        {
            stages.Add(new ModelStage(FeaturesStage, KindOf(Features), Features.Save));
        }
        if (Reducer is not null)
        {
            stages.Add(new ModelStage(ReduceStage, KindOf(Reducer), Reducer.Save));
        }
        stages.Add(new ModelStage(ClusterStage, KindOf(Clusterer), Clusterer.Save));
        if (Refiner is not null)
        {
            stages.Add(new ModelStage(RefineStage, CnnClassifierModel.Kind, Refiner.Save));
        }
        stages.Add(new ModelStage(ClassifierStage, RandomForestModel.Kind, Classifier.Save));
        if (Novelty is not null)
        {
            stages.Add(new ModelStage(NoveltyStage, NoveltyModel.Kind, Novelty.Save));
        }
        if (PixelNovelty is not null)
        {
            stages.Add(new ModelStage(PixelNoveltyStage, SubspaceNoveltyModel.Kind, PixelNovelty.Save));
        }
        return stages;
    }

    /// <summary>
    /// Rebuilds a model from persisted stages; <paramref name="open"/> opens a stage's data by name,
    /// <paramref name="classifierInput"/> is what the classifier was trained on and <paramref name="noveltySpace"/>
    /// where the novelty stage measures (both recorded beside the stages).
    /// </summary>
    /// <exception cref="ModelFormatException">A stage is missing, unknown or corrupted.</exception>
    public static PipelineModel Load(IReadOnlyList<(string Name, string Kind)> stages, Func<string, Stream> open, ClassifierInput classifierInput = ClassifierInput.Features,
        NoveltySpace noveltySpace = NoveltySpace.Embedding)
    {
        ArgumentNullException.ThrowIfNull(stages);
        ArgumentNullException.ThrowIfNull(open);
        IFittedTransform? features = null, reducer = null;
        IClusterModel? clusterer = null;
        RandomForestModel? classifier = null;
        NoveltyModel? novelty = null;
        SubspaceNoveltyModel? pixelNovelty = null;
        CnnClassifierModel? refiner = null;
        foreach (var (name, kind) in stages)
        {
            using var stream = open(name);
            switch (name)
            {
                case FeaturesStage:
                    features = LoadTransform(kind, stream);
                    break;
                case ReduceStage:
                    reducer = LoadTransform(kind, stream);
                    break;
                case ClusterStage:
                    clusterer = LoadClusterer(kind, stream);
                    break;
                case RefineStage:
                    refiner = kind == CnnClassifierModel.Kind ? CnnClassifierModel.Load(stream) : throw Unknown(name, kind);
                    break;
                case ClassifierStage:
                    classifier = kind == RandomForestModel.Kind ? RandomForestModel.Load(stream) : throw Unknown(name, kind);
                    break;
                case NoveltyStage:
                    novelty = kind == NoveltyModel.Kind ? NoveltyModel.Load(stream) : throw Unknown(name, kind);
                    break;
                case PixelNoveltyStage:
                    pixelNovelty = kind == SubspaceNoveltyModel.Kind ? SubspaceNoveltyModel.Load(stream) : throw Unknown(name, kind);
                    break;
                default:
                    throw new ModelFormatException($"unknown pipeline stage '{name}'");
            }
        }
        if (clusterer is null || classifier is null)
        {
            throw new ModelFormatException("the bundle lacks its cluster or classifier stage");
        }
        try
        {
            return new PipelineModel(features, reducer, clusterer, classifier, novelty, classifierInput, refiner, noveltySpace, pixelNovelty);
        }
        catch (ArgumentException e)
        {
            throw new ModelFormatException($"inconsistent model: {e.Message}", e);
        }
    }

    /// <summary>Reads a fitted transform of a persisted kind (pca, autoencoder, umap).</summary>
    /// <exception cref="ModelFormatException">An unknown kind or corrupted data.</exception>
    public static IFittedTransform LoadTransform(string kind, Stream stream) => kind switch
    {
        PcaModel.Kind => PcaModel.Load(stream),
        AutoencoderModel.Kind => AutoencoderModel.Load(stream),
        UmapModel.Kind => UmapModel.Load(stream),
        _ => throw Unknown("transform", kind),
    };

    /// <summary>Reads a fitted clusterer of a persisted kind (kmeans, gmm, dbscan, agglomerative).</summary>
    /// <exception cref="ModelFormatException">An unknown kind or corrupted data.</exception>
    public static IClusterModel LoadClusterer(string kind, Stream stream) => kind switch
    {
        KMeansModel.Kind => KMeansModel.Load(stream),
        GaussianMixtureModel.Kind => GaussianMixtureModel.Load(stream),
        DbscanModel.Kind => DbscanModel.Load(stream),
        AgglomerativeModel.Kind => AgglomerativeModel.Load(stream),
        _ => throw Unknown(ClusterStage, kind),
    };

    /// <summary>The persisted kind of a fitted stage (e.g. <c>autoencoder</c>, <c>gmm</c>).</summary>
    public static string KindOf(object model) => model switch
    {
        PcaModel => PcaModel.Kind,
        AutoencoderModel => AutoencoderModel.Kind,
        UmapModel => UmapModel.Kind,
        KMeansModel => KMeansModel.Kind,
        GaussianMixtureModel => GaussianMixtureModel.Kind,
        DbscanModel => DbscanModel.Kind,
        AgglomerativeModel => AgglomerativeModel.Kind,
        _ => throw new InvalidOperationException($"No persisted kind for {model.GetType().Name}."),
    };

    private static ModelFormatException Unknown(string stage, string kind) =>
        new($"stage '{stage}' has model kind '{kind}', which this build cannot load");
}
