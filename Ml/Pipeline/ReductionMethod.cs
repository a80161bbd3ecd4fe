namespace Distributed.Ml.Pipeline;

/// <summary>How features are reduced before clustering.</summary>
public enum ReductionMethod
{
    /// <summary>Cluster the features as they are.</summary>
    None,
    /// <summary>PCA down to <see cref="PipelineOptions.ReducedDimensions"/>.</summary>
    Pca,
    /// <summary>UMAP down to <see cref="PipelineOptions.ReducedDimensions"/>.</summary>
    Umap,
}
