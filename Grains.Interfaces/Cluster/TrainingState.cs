namespace Distributed.Grains.Interfaces.Cluster;

/// <summary>Where an extractor's training stands in the activation that answers.</summary>
public enum TrainingState
{
    /// <summary>Not started in this activation (new, or its silo died).</summary>
    Idle,

    /// <summary>Training.</summary>
    Running,

    /// <summary>The model is in the store.</summary>
    Done,

    /// <summary>Training failed; the error says why.</summary>
    Failed,
}
