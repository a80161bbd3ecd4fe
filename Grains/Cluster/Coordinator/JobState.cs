using Distributed.Grains.Interfaces.Cluster;

namespace Distributed.Grains.Cluster.Coordinator;

/// <summary>
/// A job's checkpoint, <c>jobs/&lt;id&gt;/state.json</c>, written atomically after every phase and
/// every clustering iteration. A coordinator that starts finds running jobs by it and resumes
/// each at its phase and iteration; everything it points to is in the store.
/// </summary>
public sealed class JobState
{
    /// <summary>File name in the job directory.</summary>
    public const string FileName = "state.json";

    /// <summary>One of <see cref="JobStates"/>.</summary>
    public string State { get; set; } = JobStates.Running;

    /// <summary>Current phase (see <see cref="JobPhases"/>).</summary>
    public string Phase { get; set; } = JobPhases.Features;

    /// <summary>Items of the phase done.</summary>
    public int Done { get; set; }

    /// <summary>Items of the phase.</summary>
    public int Total { get; set; }

    /// <summary>Detail for progress lines.</summary>
    public string Detail { get; set; } = "";

    /// <summary>Why the job failed.</summary>
    public string? Error { get; set; }

    /// <summary>Outputs directory once completed.</summary>
    public string? OutputsRef { get; set; }

    /// <summary>When the job was accepted.</summary>
    public DateTimeOffset SubmittedUtc { get; set; } = DateTimeOffset.UtcNow;

    /// <summary>Grain requests sent (retries included).</summary>
    public long Messages { get; set; }

    /// <summary>Sum over requests of the time from send to answer, seconds.</summary>
    public double RequestSeconds { get; set; }

    /// <summary>Sum over answers of the time spent inside the grain, seconds.</summary>
    public double GrainSeconds { get; set; }

    /// <summary>Seconds per stage, summed over resumptions.</summary>
    public Dictionary<string, double> TimingsS { get; set; } = [];

    /// <summary>Fitted feature extractor, when the options ask for one.</summary>
    public string? ExtractorRef { get; set; }

    /// <summary>Autoencoder loss per epoch.</summary>
    public double[]? TrainingLoss { get; set; }

    /// <summary>Fitted reducer, when the options ask for one.</summary>
    public string? ReducerRef { get; set; }

    /// <summary>Clustering restart under way.</summary>
    public int Restart { get; set; }

    /// <summary>Step of the restart: see <see cref="ClusterSteps"/>.</summary>
    public string Step { get; set; } = ClusterSteps.Init;

    /// <summary>Iteration of the step.</summary>
    public int Iteration { get; set; }

    /// <summary>Model (centres or mixture) after the last iteration.</summary>
    public string? ModelRef { get; set; }

    /// <summary>Whether the current step converged.</summary>
    public bool Converged { get; set; }

    /// <summary>Inertia of the last k-means iteration.</summary>
    public double Inertia { get; set; }

    /// <summary>Mean log-likelihood per EM iteration of the current restart.</summary>
    public List<double> Trace { get; set; } = [];

    /// <summary>Best restart so far: its model.</summary>
    public string? BestModelRef { get; set; }

    /// <summary>Best restart so far: inertia (k-means, lower is better) or final log-likelihood (GMM, higher is better).</summary>
    public double? BestScore { get; set; }

    /// <summary>Best restart so far: iterations.</summary>
    public int BestIterations { get; set; }

    /// <summary>Best restart so far: converged.</summary>
    public bool BestConverged { get; set; }

    /// <summary>Best restart so far: its log-likelihood trace (GMM).</summary>
    public List<double>? BestTrace { get; set; }
}

/// <summary>Phases of a cluster job, in order.</summary>
public static class JobPhases
{
    /// <summary>Train the extractor, encode every shard.</summary>
    public const string Features = "features";

    /// <summary>Fit the reducer on a sample, transform every shard.</summary>
    public const string Reduce = "reduce";

    /// <summary>Distributed k-means / EM.</summary>
    public const string Cluster = "cluster";

    /// <summary>Label every shard with the final model.</summary>
    public const string Assign = "assign";

    /// <summary>Internal metrics, the forest from tree groups, evaluation and outputs.</summary>
    public const string Classifier = "classifier";

    /// <summary>Done.</summary>
    public const string Done = "done";
}

/// <summary>Steps of one clustering restart.</summary>
public static class ClusterSteps
{
    /// <summary>k-means++ seeding on the sample.</summary>
    public const string Init = "init";

    /// <summary>Lloyd iterations.</summary>
    public const string KMeans = "kmeans";

    /// <summary>Mixture from the k-means labels.</summary>
    public const string EmInit = "em-init";

    /// <summary>EM iterations.</summary>
    public const string Em = "em";
}
