using Distributed.Ml.Pipeline;

namespace Distributed.Grains.Storage;

/// <summary>
/// <c>manifest.json</c> of a model bundle: what produced it, with which options, and the checksum
/// of every stage file. See docs/bundle-format.md.
/// </summary>
public sealed record BundleManifest
{
    /// <summary>The format name every bundle of this product carries.</summary>
    public const string FormatName = "distributed-labelling-bundle";

    /// <summary>The newest format version this build writes and reads.</summary>
    public const int CurrentFormatVersion = 1;

    /// <summary>Always <see cref="FormatName"/>.</summary>
    public required string Format { get; init; }

    /// <summary>Format version of the bundle.</summary>
    public required int FormatVersion { get; init; }

    /// <summary>Unique version of this model (a new one per fit), e.g. for a predictor to report.</summary>
    public required string ModelVersion { get; init; }

    /// <summary>When the bundle was written (UTC).</summary>
    public required DateTimeOffset CreatedUtc { get; init; }

    /// <summary>Product and version that wrote it.</summary>
    public required string Producer { get; init; }

    /// <summary>Seed of the fit.</summary>
    public required ulong Seed { get; init; }

    /// <summary>Shape of one input image: channels, height, width.</summary>
    public required int[] InputShape { get; init; }

    /// <summary>Pipeline options of the fit.</summary>
    public required PipelineOptions Options { get; init; }

    /// <summary>Members per cluster in the training data.</summary>
    public required long[] ClusterSizes { get; init; }

    /// <summary>
    /// What the classifier stage reads: <c>features</c> (the embedded images) or <c>pixels</c>.
    /// Absent in bundles written before the choice existed, which mean <c>features</c>.
    /// </summary>
    public ClassifierInput? ClassifierInput { get; init; }

    /// <summary>
    /// Where the novelty stage measures: <c>embedding</c>, or <c>cnn</c> (the self-labelling CNN's
    /// features). Absent in bundles written before the choice existed, which mean <c>embedding</c>.
    /// </summary>
    public NoveltySpace? NoveltySpace { get; init; }

    /// <summary>Stage files in pipeline order.</summary>
    public required IReadOnlyList<BundleStage> Stages { get; init; }

    /// <summary>
    /// Human names of clusters by id, given with <c>name</c>; null until then. Two clusters may share
    /// a name (two styles of one digit); a cluster without one is called by its id.
    /// </summary>
    public IReadOnlyDictionary<int, string>? ClusterNames { get; init; }
}

/// <summary>One stage file of a bundle.</summary>
/// <param name="Name">Role: features, reduce, cluster, classifier.</param>
/// <param name="Kind">Model kind tag.</param>
/// <param name="File">File name inside the bundle directory.</param>
/// <param name="Bytes">File size.</param>
/// <param name="Sha256">Lower-case hex SHA-256 of the file.</param>
public sealed record BundleStage(string Name, string Kind, string File, long Bytes, string Sha256);
