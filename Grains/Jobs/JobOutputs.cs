namespace Distributed.Grains.Jobs;

/// <summary>The names of a labelling job's outputs inside its output directory.</summary>
public static class JobOutputs
{
    /// <summary>The model bundle directory.</summary>
    public const string Model = "model";

    /// <summary>Cluster id per image, int32, −1 for noise.</summary>
    public const string Assignments = "assignments.npy";

    /// <summary>Flat snake_case measurements of the run.</summary>
    public const string Metrics = "metrics.json";
}
