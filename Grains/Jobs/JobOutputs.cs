namespace Distributed.Grains.Jobs;

/// <summary>The names of a labelling job's outputs inside its output directory.</summary>
public static class JobOutputs
{
    /// <summary>The model bundle directory.</summary>
    public const string Model = "model";

    /// <summary>Cluster id per image, int32, −1 for noise.</summary>
    public const string Assignments = "assignments.npy";

    /// <summary>
    /// The label the forest learned for each image, int32: the self-labelling CNN's with
    /// <c>--refine cnn</c>, else label spreading's with known labels, else the cluster id (−1 for noise).
    /// </summary>
    public const string Labels = "labels.npy";

    /// <summary>Flat snake_case measurements of the run.</summary>
    public const string Metrics = "metrics.json";

    /// <summary>The page a person checks the run on.</summary>
    public const string Report = "report.html";

    /// <summary>Everything a run publishes, as one version of its output directory.</summary>
    public static readonly IReadOnlyList<string> All = [Model, Assignments, Labels, Metrics, Report];
}
