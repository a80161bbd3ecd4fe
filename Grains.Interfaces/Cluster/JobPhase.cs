namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Phases of a labelling job, in order.</summary>
public enum JobPhase
{
    /// <summary>Train the extractor, encode every shard.</summary>
    Features,

    /// <summary>Fit the reducer on a sample, transform every shard.</summary>
    Reduce,

    /// <summary>Cluster the embedding (distributed k-means / EM, or on the coordinator).</summary>
    Cluster,

    /// <summary>Label every shard with the final model.</summary>
    Assign,

    /// <summary>Internal metrics, rebalancing, the forest from tree groups, evaluation and outputs.</summary>
    Classifier,

    /// <summary>Finished.</summary>
    Done,
}
