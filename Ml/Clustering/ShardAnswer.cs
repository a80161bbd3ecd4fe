namespace Distributed.Ml.Clustering;

/// <summary>One shard's statistics for one <see cref="ShardQuery"/>: k-means or mixture statistics, as the query's kind asks.</summary>
public sealed class ShardAnswer
{
    private readonly KMeansStatistics? _kmeans;
    private readonly GaussianMixtureStatistics? _mixture;

    private ShardAnswer(KMeansStatistics? kmeans, GaussianMixtureStatistics? mixture) => (_kmeans, _mixture) = (kmeans, mixture);

    /// <summary>An answer to a k-means query.</summary>
    public static ShardAnswer Of(KMeansStatistics statistics) => new(statistics ?? throw new ArgumentNullException(nameof(statistics)), null);

    /// <summary>An answer to a mixture query.</summary>
    public static ShardAnswer Of(GaussianMixtureStatistics statistics) => new(null, statistics ?? throw new ArgumentNullException(nameof(statistics)));

    /// <summary>The k-means statistics; throws when this answers a mixture query.</summary>
    public KMeansStatistics KMeans => _kmeans ?? throw new InvalidOperationException("the shard answered with mixture statistics where k-means statistics were asked for");

    /// <summary>The mixture statistics; throws when this answers a k-means query.</summary>
    public GaussianMixtureStatistics Mixture => _mixture ?? throw new InvalidOperationException("the shard answered with k-means statistics where mixture statistics were asked for");
}
