using Distributed.Ml.Clustering;

namespace Distributed.Ml.Pipeline;

/// <summary>
/// The one spelling of each pipeline choice: in metrics.json and reports, and what a host parses
/// back from its options (the command line spells its choices this way too).
/// </summary>
public static class ChoiceNames
{
    /// <summary>Spelling of a feature method.</summary>
    public static string Of(FeatureMethod value) => value.ToString().ToLowerInvariant();

    /// <summary>Spelling of a reduction.</summary>
    public static string Of(ReductionMethod value) => value.ToString().ToLowerInvariant();

    /// <summary>Spelling of a clustering method.</summary>
    public static string Of(ClusteringMethod value) => value == ClusteringMethod.MiniBatchKMeans ? "minibatch-kmeans" : value.ToString().ToLowerInvariant();

    /// <summary>Spelling of an agglomerative linkage.</summary>
    public static string Of(Linkage value) => value.ToString().ToLowerInvariant();

    /// <summary>Spelling of a rebalancing method.</summary>
    public static string Of(RebalanceMethod value) => value == RebalanceMethod.SmoteTomek ? "smote-tomek" : value.ToString().ToLowerInvariant();

    /// <summary>Spelling of a classifier input.</summary>
    public static string Of(ClassifierInput value) => value.ToString().ToLowerInvariant();

    /// <summary>Spelling of a refinement.</summary>
    public static string Of(RefineMethod value) => value.ToString().ToLowerInvariant();

    /// <summary>Parses a spelling; null when unknown.</summary>
    public static TEnum? Parse<TEnum>(string text)
        where TEnum : struct, Enum
    {
        foreach (var value in Enum.GetValues<TEnum>())
        {
            var spelling = value switch
            {
                FeatureMethod f => Of(f),
                ReductionMethod r => Of(r),
                ClusteringMethod c => Of(c),
                Linkage l => Of(l),
                RebalanceMethod b => Of(b),
                ClassifierInput i => Of(i),
                RefineMethod m => Of(m),
                _ => value.ToString().ToLowerInvariant(),
            };
            if (string.Equals(spelling, text, StringComparison.OrdinalIgnoreCase))
            {
                return value;
            }
        }
        return null;
    }
}
