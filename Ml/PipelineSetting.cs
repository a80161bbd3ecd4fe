namespace Distributed.Ml;

/// <summary>A setting of the pipeline's options that a refusal can name (<see cref="OptionsException"/>).</summary>
public enum PipelineSetting
{
    /// <summary>Number of clusters.</summary>
    Clusters,
    /// <summary>PCA components of the PCA features.</summary>
    PcaComponents,
    /// <summary>Output dimension of the reduction.</summary>
    ReducedDimensions,
    /// <summary>k-means restarts.</summary>
    KMeansRestarts,
    /// <summary>Trees of the random forest.</summary>
    ForestTrees,
    /// <summary>Autoencoder epochs.</summary>
    Epochs,
    /// <summary>Autoencoder batch size.</summary>
    BatchSize,
    /// <summary>Autoencoder embedding size.</summary>
    EmbeddingSize,
    /// <summary>Autoencoder learning rate.</summary>
    LearningRate,
    /// <summary>UMAP's neighbours.</summary>
    UmapNeighbors,
    /// <summary>UMAP's minimum distance.</summary>
    UmapMinDist,
    /// <summary>Share of the known labels used for label spreading.</summary>
    KnownFraction,
    /// <summary>DBSCAN's neighbourhood radius.</summary>
    Eps,
    /// <summary>DBSCAN's minimum neighbourhood size.</summary>
    MinSamples,
    /// <summary>The clustering method.</summary>
    Method,
    /// <summary>The feature extractor.</summary>
    Features,
    /// <summary>The refinement (self-labelling) stage.</summary>
    Refine,
    /// <summary>What the forest learns from.</summary>
    ClassifierInput,
    /// <summary>Rounds of the self-labelling stage.</summary>
    RefineRounds,
}

/// <summary>The library's own words for each <see cref="PipelineSetting"/>.</summary>
public static class PipelineSettings
{
    /// <summary>How the library names <paramref name="setting"/> in a message.</summary>
    public static string Name(PipelineSetting setting) => setting switch
    {
        PipelineSetting.Clusters => "clusters",
        PipelineSetting.PcaComponents => "PCA components",
        PipelineSetting.ReducedDimensions => "reduced dimensions",
        PipelineSetting.KMeansRestarts => "k-means restarts",
        PipelineSetting.ForestTrees => "forest trees",
        PipelineSetting.Epochs => "autoencoder epochs",
        PipelineSetting.BatchSize => "autoencoder batch size",
        PipelineSetting.EmbeddingSize => "embedding size",
        PipelineSetting.LearningRate => "autoencoder learning rate",
        PipelineSetting.UmapNeighbors => "UMAP neighbours",
        PipelineSetting.UmapMinDist => "UMAP min_dist",
        PipelineSetting.KnownFraction => "known fraction",
        PipelineSetting.Eps => "eps",
        PipelineSetting.MinSamples => "min_samples",
        PipelineSetting.Method => "method",
        PipelineSetting.Features => "features",
        PipelineSetting.Refine => "refinement",
        PipelineSetting.ClassifierInput => "classifier input",
        PipelineSetting.RefineRounds => "self-labelling rounds",
        _ => setting.ToString(),
    };
}
