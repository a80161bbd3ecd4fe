using Distributed.Ml;

namespace Distributed.Client.Commands;

/// <summary>The flag of <c>run</c> that sets each pipeline setting, so that a refusal names what the user typed.</summary>
internal static class OptionFlags
{
    /// <summary>The flag, or the library's own name for a setting no flag sets.</summary>
    public static string Of(PipelineSetting setting) => setting switch
    {
        PipelineSetting.Clusters => "--clusters",
        PipelineSetting.PcaComponents => "--pca-components",
        PipelineSetting.ReducedDimensions => "--reduce-dims",
        PipelineSetting.KMeansRestarts => "--restarts",
        PipelineSetting.ForestTrees => "--trees",
        PipelineSetting.Epochs => "--epochs",
        PipelineSetting.BatchSize => "--batch-size",
        PipelineSetting.EmbeddingSize => "--embedding-size",
        PipelineSetting.LearningRate => "--learning-rate",
        PipelineSetting.UmapNeighbors => "--umap-neighbors",
        PipelineSetting.UmapMinDist => "--umap-min-dist",
        PipelineSetting.KnownFraction => "--known-fraction",
        PipelineSetting.Eps => "--eps",
        PipelineSetting.MinSamples => "--min-samples",
        PipelineSetting.Method => "--method",
        PipelineSetting.Features => "--features",
        PipelineSetting.Refine => "--refine",
        PipelineSetting.ClassifierInput => "--classifier-input",
        PipelineSetting.RefineRounds => "--refine-rounds",
        _ => PipelineSettings.Name(setting),
    };
}
