using System.Diagnostics;
using Distributed.Ml.Numerics;

namespace Distributed.Ml.Pipeline;

/// <summary>
/// <see cref="ClusteringMethod.Auto"/>: fits k-means, GMM, DBSCAN and agglomerative clustering on the same
/// reduced features, scores each by silhouette, Davies–Bouldin and Calinski–Harabasz (noise rows
/// left out) and keeps one by <see cref="SelectionRule"/>. Every candidate's figures are reported.
/// </summary>
/// <remarks>
/// Silhouette leads because it is bounded and compares partitions with different cluster counts
/// fairly; Calinski–Harabasz grows with compact convex clusters and would favour k-means by
/// construction. Excluding noise flatters DBSCAN (its hardest rows are not scored), hence the noise
/// ceiling. Deterministic for a seed: each candidate uses the pipeline's seed.
/// </remarks>
public static class AutoClustering
{
    /// <summary>Largest noise share at which DBSCAN may be chosen (the seeds' rule: at most 30% of rows as noise).</summary>
    public const double MaxNoiseFraction = 0.30;

    /// <summary>Silhouettes closer than this count as tied (they are means over the same sample; rounding differs below it).</summary>
    public const double SilhouetteTolerance = 1e-9;

    /// <summary>The rule, as written to metrics.json.</summary>
    public const string SelectionRule =
        "highest silhouette among eligible candidates (ties within 1e-9: lower Davies-Bouldin, then candidate order); "
        + "eligible: at least 2 clusters, and for DBSCAN a noise fraction of at most 0.30";

    /// <summary>Candidates, in the order they are fitted and listed.</summary>
    public static IReadOnlyList<ClusteringMethod> Methods { get; } =
        [ClusteringMethod.KMeans, ClusteringMethod.Gmm, ClusteringMethod.Dbscan, ClusteringMethod.Agglomerative];

    /// <summary>Whether a candidate may be chosen, and if not, why.</summary>
    public static (bool Eligible, string? Reason) Eligibility(ClusteringMethod method, int clusters, double noiseFraction)
    {
        if (clusters < 2)
        {
            return (false, $"{clusters} cluster(s) found; at least 2 are needed");
        }
        if (method == ClusteringMethod.Dbscan && noiseFraction > MaxNoiseFraction)
        {
            return (false, $"noise fraction {noiseFraction:0.000} is above {MaxNoiseFraction:0.00}");
        }
        return (true, null);
    }

    /// <summary>Index of the candidate <see cref="SelectionRule"/> picks.</summary>
    /// <exception cref="OptionsException">No candidate is eligible.</exception>
    public static int Select(IReadOnlyList<ClusteringCandidate> candidates)
    {
        ArgumentNullException.ThrowIfNull(candidates);
        var best = -1;
        for (var i = 0; i < candidates.Count; i++)
        {
            var candidate = candidates[i];
            if (!candidate.Eligible)
            {
                continue;
            }
            if (best < 0)
            {
                best = i;
                continue;
            }
            var leader = candidates[best];
            var difference = candidate.Silhouette - leader.Silhouette;
            if (difference > SilhouetteTolerance
                || (Math.Abs(difference) <= SilhouetteTolerance && candidate.DaviesBouldin < leader.DaviesBouldin))
            {
                best = i;
            }
        }
        return best >= 0 ? best : throw new OptionsException("{0} auto: no candidate clustering found at least 2 clusters", PipelineSetting.Method);
    }

    /// <summary>Fits and scores every candidate with <paramref name="fit"/>, and returns the chosen one's outcome with the candidates attached.</summary>
    internal static ClusteringOutcome Run(Matrix embedded, PipelineOptions options, Func<ClusteringMethod, ClusteringOutcome> fit)
    {
        var outcomes = new List<(ClusteringOutcome Outcome, InternalScores Scores)>();
        var candidates = new List<ClusteringCandidate>();
        foreach (var method in Methods)
        {
            var clock = Stopwatch.StartNew();
            var outcome = fit(method);
            var seconds = clock.Elapsed.TotalSeconds;
            var scores = InternalScores.Compute(embedded, outcome.Labels, options.SilhouetteSampleSize, options.Seed);
            var noise = NoiseFraction(outcome.Labels);
            var (eligible, reason) = Eligibility(method, outcome.Model.ClusterCount, noise);
            outcomes.Add((outcome, scores));
            candidates.Add(new ClusteringCandidate
            {
                Method = ChoiceNames.Of(method),
                NClusters = outcome.Model.ClusterCount,
                NoiseFraction = noise,
                Silhouette = scores.Silhouette,
                DaviesBouldin = scores.DaviesBouldin,
                CalinskiHarabasz = scores.CalinskiHarabasz,
                FitS = seconds,
                Eligible = eligible,
                Reason = reason,
            });
        }
        var chosen = Select(candidates);
        return outcomes[chosen].Outcome with { Scores = outcomes[chosen].Scores, Candidates = candidates, Selected = Methods[chosen] };
    }

    /// <summary>Share of labels that are noise (−1).</summary>
    public static double NoiseFraction(ReadOnlySpan<int> labels)
    {
        var noise = 0;
        foreach (var label in labels)
        {
            noise += label < 0 ? 1 : 0;
        }
        return labels.Length == 0 ? 0 : (double)noise / labels.Length;
    }
}
