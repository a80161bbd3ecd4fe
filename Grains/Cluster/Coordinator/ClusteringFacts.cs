using Distributed.Ml.Clustering;
using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Cluster.Coordinator;

/// <summary>
/// What the report needs of a clustering fitted on the coordinator, beside its model and labels:
/// <c>jobs/&lt;id&gt;/cluster/clustering.json</c>, written last so that its presence means the step is done.
/// </summary>
internal sealed record ClusteringFacts(
    string Kind,
    int? Iterations,
    bool? Converged,
    double? Inertia,
    double? MeanLogLikelihood,
    double? Bic,
    double[]? LogLikelihoodTrace,
    InternalScores? Scores,
    IReadOnlyList<ClusteringCandidate>? Candidates,
    ClusteringMethod? Selected)
{
    public const string FileName = "clustering.json";

    public static ClusteringFacts Of(string kind, ClusteringOutcome outcome) => new(kind, outcome.Iterations, outcome.Converged, outcome.Inertia,
        outcome.MeanLogLikelihood, outcome.Bic, outcome.LogLikelihoodTrace, outcome.Scores, outcome.Candidates, outcome.Selected);

    public ClusteringOutcome ToOutcome(IClusterModel model, int[] labels) =>
        new(model, labels, Iterations, Converged, Inertia, MeanLogLikelihood, Bic, LogLikelihoodTrace)
        {
            Scores = Scores,
            Candidates = Candidates,
            Selected = Selected,
        };
}
