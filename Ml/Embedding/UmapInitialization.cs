namespace Distributed.Ml.Embedding;

/// <summary>How UMAP places the points before optimising the layout.</summary>
public enum UmapInitialization
{
    /// <summary>
    /// Eigenvectors of the graph's normalised Laplacian (umap-learn's default): a layout that already
    /// reflects the global structure, so the optimisation only refines it. Falls back to
    /// <see cref="Random"/> when it cannot be computed.
    /// </summary>
    Spectral,

    /// <summary>Uniform in [−10, 10] per coordinate.</summary>
    Random,
}
