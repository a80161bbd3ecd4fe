namespace Distributed.Ml.Pipeline;

/// <summary>
/// What a pipeline run measured. Serialised as flat snake_case JSON (<c>metrics.json</c>); null
/// members are omitted.
/// </summary>
public sealed record PipelineReport
{
    /// <summary>Images clustered.</summary>
    public required int NImages { get; init; }

    /// <summary>Clusters requested (DBSCAN ignores it; see <see cref="NClustersFound"/>).</summary>
    public required int NClusters { get; init; }

    /// <summary>Clusters the chosen method produced: equal to <see cref="NClusters"/> except for DBSCAN, which finds its own count.</summary>
    public required int NClustersFound { get; init; }

    /// <summary>Clustering method, CLI spelling.</summary>
    public required string Method { get; init; }

    /// <summary>With <see cref="ClusteringMethod.Auto"/>: the method chosen (its <see cref="ChoiceNames"/> spelling).</summary>
    public string? SelectedMethod { get; init; }

    /// <summary>With <see cref="ClusteringMethod.Auto"/>: how the choice was made (<see cref="AutoClustering.SelectionRule"/>).</summary>
    public string? SelectionRule { get; init; }

    /// <summary>With <see cref="ClusteringMethod.Auto"/>: every method tried, with its scores, noise fraction, cluster count and fit seconds.</summary>
    public IReadOnlyList<ClusteringCandidate>? Candidates { get; init; }

    /// <summary>Feature extractor, CLI spelling.</summary>
    public required string Features { get; init; }

    /// <summary>Reduction, CLI spelling.</summary>
    public required string Reduce { get; init; }

    /// <summary>Seed of the run.</summary>
    public required ulong Seed { get; init; }

    /// <summary>Accuracy against user-supplied labels after Hungarian matching (evaluation only).</summary>
    public double? Accuracy { get; init; }

    /// <summary>NMI against user-supplied labels.</summary>
    public double? Nmi { get; init; }

    /// <summary>ARI against user-supplied labels.</summary>
    public double? Ari { get; init; }

    /// <summary>Mean silhouette on a seeded sample of the clustered features.</summary>
    public required double Silhouette { get; init; }

    /// <summary>Davies–Bouldin index (lower is better).</summary>
    public required double DaviesBouldin { get; init; }

    /// <summary>Calinski–Harabasz index (higher is better).</summary>
    public required double CalinskiHarabasz { get; init; }

    /// <summary>Members per cluster id.</summary>
    public required long[] ClusterSizes { get; init; }

    /// <summary>k-means inertia (sum of squared distances to centres).</summary>
    public double? Inertia { get; init; }

    /// <summary>Iterations (Lloyd) or steps (mini-batch) of the winning k-means run.</summary>
    public int? ClusterIterations { get; init; }

    /// <summary>Whether the clustering met its convergence test.</summary>
    public bool? ClusterConverged { get; init; }

    /// <summary>DBSCAN: share of images labelled noise (−1); they get no pseudo-label and are left out of the forest and the scores.</summary>
    public double? NoiseFraction { get; init; }

    /// <summary>DBSCAN: the neighbourhood radius used.</summary>
    public double? DbscanEps { get; init; }

    /// <summary>DBSCAN: whether the radius was chosen from the k-distance curve's knee (true) or given in the options (false).</summary>
    public bool? DbscanEpsChosen { get; init; }

    /// <summary>DBSCAN: rows (itself included) a core row has within the radius.</summary>
    public int? DbscanMinSamples { get; init; }

    /// <summary>Agglomerative: linkage (CLI spelling).</summary>
    public string? AgglomerativeLinkage { get; init; }

    /// <summary>Agglomerative: rows the tree was built on; below <see cref="NImages"/> when the images exceeded the exact limit and the rest joined the nearest centroid.</summary>
    public int? AgglomerativeSampleSize { get; init; }

    /// <summary>GMM: mean log-likelihood per image of the winning restart.</summary>
    public double? LogLikelihood { get; init; }

    /// <summary>GMM: Bayesian information criterion on the clustered rows (lower is better).</summary>
    public double? Bic { get; init; }

    /// <summary>GMM: mean log-likelihood after each EM iteration of the winning restart.</summary>
    public double[]? LogLikelihoodTrace { get; init; }

    /// <summary>Share of pixel variance the PCA features keep.</summary>
    public double? PcaExplainedVariance { get; init; }

    /// <summary>Autoencoder reconstruction loss per training epoch (autoencoder features only).</summary>
    public double[]? TrainingLoss { get; init; }

    /// <summary>Classifier accuracy against pseudo-labels on the held-out rows.</summary>
    public required double ClassifierAccuracy { get; init; }

    /// <summary>Classifier macro F1 against pseudo-labels on the held-out rows.</summary>
    public required double ClassifierMacroF1 { get; init; }

    /// <summary>ARI between classifier predictions and clusters on the held-out rows.</summary>
    public required double ClassifierAriVsClusters { get; init; }

    /// <summary>Out-of-bag accuracy of the forest on its training rows.</summary>
    public double? ClassifierOobScore { get; init; }

    /// <summary>Held-out rows used to score the classifier.</summary>
    public required int ClassifierHeldOut { get; init; }

    /// <summary>Held-out confusion matrix: row = pseudo-label, column = prediction, in cluster id order.</summary>
    public required long[][] ClassifierConfusionMatrix { get; init; }

    /// <summary>What the forest saw of each image, CLI spelling (<c>features</c>, <c>pixels</c> or <c>cnn</c>).</summary>
    public string? ClassifierInput { get; init; }

    /// <summary>Second labelling stage, CLI spelling (<c>none</c> or <c>cnn</c>).</summary>
    public string? Refine { get; init; }

    /// <summary>Images the self-labelling CNN's first round trained on (the confident ones and the known ones).</summary>
    public int? RefineConfidentRows { get; init; }

    /// <summary>Rounds of self-labelling: each CNN after the first trained on every image with the labels of the one before, and the refined labels are the rounds' averaged probabilities'.</summary>
    public int? RefineRounds { get; init; }

    /// <summary>Epochs the last round's CNN trained before its loss stopped falling or the epoch limit.</summary>
    public int? RefineEpochs { get; init; }

    /// <summary>Mean loss of each of the last round's epochs.</summary>
    public double[]? RefineTrainingLoss { get; init; }

    /// <summary>Share of the images whose refined label differs from the first stage's.</summary>
    public double? RefineChangedShare { get; init; }

    /// <summary>Accuracy of the refined labels against user-supplied labels after Hungarian matching (evaluation only); <see cref="Accuracy"/> stays the clusters'.</summary>
    public double? RefineAccuracy { get; init; }

    /// <summary>NMI of the refined labels against user-supplied labels.</summary>
    public double? RefineNmi { get; init; }

    /// <summary>ARI of the refined labels against user-supplied labels.</summary>
    public double? RefineAri { get; init; }

    /// <summary>Rebalancing of the forest's training rows, CLI spelling.</summary>
    public string? Rebalance { get; init; }

    /// <summary>Forest training rows per pseudo-label before rebalancing (held-out rows excluded).</summary>
    public IReadOnlyDictionary<int, long>? ClassCountsBefore { get; init; }

    /// <summary>Forest training rows per pseudo-label after rebalancing (equal to the counts before without it).</summary>
    public IReadOnlyDictionary<int, long>? ClassCountsAfter { get; init; }

    /// <summary>Rows whose label was given as known (semi-supervised runs only).</summary>
    public int? KnownLabels { get; init; }

    /// <summary>
    /// Accuracy of the final labels (label spreading's, refined by the CNN when refinement is on) on
    /// the rows whose label was not known, against their true labels (set by the job).
    /// </summary>
    public double? LabelSpreadingAccuracy { get; init; }

    /// <summary>Label spreading iterations.</summary>
    public int? LabelSpreadingIterations { get; init; }

    /// <summary>Whether label spreading met its tolerance before its iteration limit.</summary>
    public bool? LabelSpreadingConverged { get; init; }

    /// <summary>Seconds per stage.</summary>
    public required IReadOnlyDictionary<string, double> TimingsS { get; init; }
}
